-- Notices to affected people (本人通知): one row per (incident, person, channel) with where it
-- stands, and the append-only history of every status it went through, so that a campaign can be
-- re-run without sending twice and counts can be drawn over time (sent, delivered, returned …).
-- Nothing personal is kept here: addresses are read from the sealed affected_person record when a
-- notice is sent; errors are kept as codes (an SMTP reply code, a 返戻 reason code), never as text
-- that could quote an address.
create table notification (
    notification_id text primary key,
    incident_id text not null references incident (incident_id),
    party_id text not null references party (party_id),
    affected_person_id text not null references affected_person (affected_person_id),
    channel text not null,
    status text not null,
    attempts bigint not null,
    last_error text,
    message_id text,
    created_at text not null,
    updated_at text not null,
    constraint notification_key unique (incident_id, affected_person_id, channel)
);
create index notification_party_idx on notification (incident_id, party_id, channel, status);
create index notification_message_idx on notification (message_id);

create table notification_event (
    seq bigint generated always as identity primary key,
    notification_id text not null references notification (notification_id),
    incident_id text not null,
    party_id text not null,
    channel text not null,
    at text not null,
    status text not null,
    detail text
);
create index notification_event_party_idx on notification_event (incident_id, party_id, at);
