-- Two-factor sign-in: a user's TOTP secret, sealed under a key derived from the master key; the last
-- time step used, so that a code works only once; and a secret being enrolled, kept with the session.
alter table app_user add column totp_secret bytea;
alter table app_user add column totp_last_step bigint;
alter table session add column pending_totp bytea;
