-- Decisions are records: every assessment of a stored incident is kept with the facts it was made
-- from, and a filed report keeps the due date it was measured against and whether it was on time.
create table assessment (
    assessment_id text primary key,
    incident_id text not null references incident (incident_id),
    created_at text not null,
    inputs text not null,
    result text not null
);
create index assessment_incident_idx on assessment (incident_id, created_at);

alter table report add column due text;
alter table report add column on_time integer;
