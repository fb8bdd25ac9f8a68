-- Returned letters (返戻) and what followed them. The reason of a return stays in the notice's
-- history as a code; what is new here is what cannot be a code:
-- - the corrected address a returned letter is mailed to again, sealed under the incident's data
--   key like every personal record (one row per notice: a later correction replaces it);
-- - each publication of a party's substitute notice (代替措置: the public notice page, a notice
--   at the office), with where and from when to when it was published, kept as evidence.
create table notification_address (
    notification_id text primary key references notification (notification_id),
    incident_id text not null references incident (incident_id),
    sealed bytea not null,
    updated_at text not null
);

create table substitute_publication (
    publication_id text primary key,
    incident_id text not null references incident (incident_id),
    party_id text not null references party (party_id),
    place text not null,
    from_date text not null,
    to_date text,
    created_at text not null
);
create index substitute_publication_party_idx on substitute_publication (incident_id, party_id);
