#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the relay's store tests (idempotent, fast when it
# already runs) and prints its URL. Installs Debian's postgresql when missing. Runs the server as the
# `postgres` user when invoked as root. Usage: export DATABASE_URL_TEST=$(bash .ci/postgres.sh)
set -euo pipefail
# runuser lives in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
port="${PG_TEST_PORT:-55432}"
dir="${PG_TEST_DIR:-/tmp/voice-agent-pg-$port}"
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "postgres: installing Debian's postgresql" >&2
  sudo_if_needed apt-get update -qq >&2
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
user=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)

if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    as_pg "$bin/initdb" -D "$dir" -U "$user" --auth=trust -E UTF8 >/dev/null
  fi
  # Default durability (fsync on) so benchmarks are honest; loopback only, socket in the data dir.
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >&2
fi
echo "postgres://$user@127.0.0.1:$port/postgres"
