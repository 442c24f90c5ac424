#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1 for the shared-session
# tests. On Debian as root: install Debian's postgresql, start its cluster and
# create the role and database named by JUNTO_TEST_POSTGRES_URL's defaults.
set -euo pipefail

user=${JUNTO_PG_USER:-junto}
password=${JUNTO_PG_PASSWORD:-junto}
db=${JUNTO_PG_DB:-junto_test}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
        echo "error: PostgreSQL is not installed; install it or set JUNTO_TEST_POSTGRES_URL" >&2
        exit 1
    fi
    echo "==> installing Debian's postgresql"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -n1)
if [ -z "$version" ]; then
    echo "error: no PostgreSQL cluster found under /etc/postgresql" >&2
    exit 1
fi
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
    echo "==> starting PostgreSQL $version"
    pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do
    if su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1; then break; fi
    sleep 1
done
su postgres -c "psql -qAtc \"select 1 from pg_roles where rolname='$user'\"" | grep -q 1 \
    || su postgres -c "psql -qc \"create role $user login password '$password'\""
su postgres -c "psql -qAtc \"select 1 from pg_database where datname='$db'\"" | grep -q 1 \
    || su postgres -c "createdb -O $user $db"
echo "==> PostgreSQL is up: postgresql://$user:***@127.0.0.1:5432/$db"
