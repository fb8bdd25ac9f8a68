-- Master key rotation (see keyring.rs): the master keys this database knows, by id, and the id of
-- the key that protects each row, so that a ring of keys opens every row while the rows move from
-- an old key to a new one. Rows made before get the id of the database's key when todoke first
-- opens it with that key (this script cannot know it).
create table master_key (
    key_id text primary key,
    -- The key's full check value (its id is the first 16 hex digits).
    check_value text not null,
    added_at text not null,
    -- When everything was moved under this key (NULL while a rotation to it is unfinished).
    rotated_at text,
    retired_at text,
    -- A retired key's audit MAC key, sealed under key audit_key_by: its audit entries stay
    -- verifiable once the key itself is gone.
    audit_key bytea,
    audit_key_by text
);

alter table incident_key add column key_id text;
alter table app_user add column totp_key_id text;
alter table session add column pending_totp_key_id text;
alter table audit_entry add column key_id text;
-- The key every writer writes with; a rotation changes it.
alter table audit_head add column key_id text;

create index incident_key_key_idx on incident_key (key_id);
create index audit_entry_key_idx on audit_entry (key_id);
