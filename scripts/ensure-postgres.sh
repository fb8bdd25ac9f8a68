#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with a `todoke` role that may create
# databases (each test makes its own), installing and starting Debian's `postgresql` when nothing
# answers there. Prints the URL the tests use; `.ci/run` exports it as TODOKE_TEST_PG_URL.
set -euo pipefail

host=127.0.0.1
port=5432
url="postgres://todoke:todoke@${host}:${port}/postgres"

answers() { (exec 3<>"/dev/tcp/${host}/${port}") 2>/dev/null; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if ! answers; then
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        echo "installing PostgreSQL (Debian package postgresql)…" >&2
        as_root apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
    fi
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
        as_root pg_createcluster "$version" main >&2
    fi
    cluster=$(pg_lsclusters -h | sort -V | tail -n 1)
    set -- $cluster
    echo "starting PostgreSQL $1/$2 on ${host}:${port}…" >&2
    as_root pg_ctlcluster "$1" "$2" start >&2
    for _ in $(seq 1 60); do answers && break; sleep 0.5; done
    answers || { echo "PostgreSQL did not start on ${host}:${port}" >&2; exit 1; }
fi

# The role the tests use; only possible where the local `postgres` superuser is ours.
if id postgres >/dev/null 2>&1; then
    as_root su postgres -c "psql -q -h /var/run/postgresql -p ${port} -d postgres" >&2 <<'SQL'
do $$ begin
    if not exists (select from pg_roles where rolname = 'todoke') then
        create role todoke login createdb password 'todoke';
    end if;
end $$;
SQL
fi

echo "$url"
