-- Answer scripts (想定問答, FAQ) for the inquiry desks of an incident: one row per version of a
-- topic's script, never changed afterwards, so what a caller was told on a day can be traced to
-- the version in force. Scripts are the organization's own wording, not personal data.
create table answer_script (
    answer_script_id text primary key,
    incident_id text not null references incident (incident_id),
    topic text not null,
    version integer not null,
    body text not null,
    created_at text not null,
    unique (incident_id, topic, version)
);
