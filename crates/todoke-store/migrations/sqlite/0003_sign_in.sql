-- Sign-in: an Argon2id hash per user (never the password), a failure counter and lockout, and
-- sessions stored by the SHA-256 of their token (a copy of this table opens no session).
alter table app_user add column password_hash text;
alter table app_user add column failed_sign_ins integer not null default 0;
alter table app_user add column locked_until text;

create table session (
    session_hash text primary key,
    user_id text not null references app_user (user_id),
    csrf_token text not null,
    created_at text not null,
    expires_at text not null
);
create index session_user_idx on session (user_id);
