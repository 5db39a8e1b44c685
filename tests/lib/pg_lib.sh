# A throwaway PostgreSQL server for tests and benchmarks: Debian's
# PostgreSQL 15 (scripts/deps.sh installs it), a new cluster in a temporary
# directory, listening on a free loopback port and a Unix socket in that
# directory only, trust authentication for the one user "spark". PostgreSQL
# refuses to run as root: as root the cluster belongs to, and runs as, the
# unprivileged user "nobody" (setpriv); as anyone else, as that user.
#
# Source it, then:
#   pg_start            -> PG_URI (postgresql://spark@127.0.0.1:PORT/spark),
#                          PG_PORT, PG_DIR; 0 or 1 (with the server's log)
#   pg_stop [MODE]      stop (fast, or immediate: a crash); the data stays
#   pg_restart          start the same cluster again (after pg_stop)
#   pg_sql SQL          run SQL as spark on the spark database
#   pg_cleanup          stop and remove everything (call it from your trap)
PG_DIR=
PG_PORT=
PG_URI=
PG_BIN=

pg_find_bin() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { PG_BIN=$d; return 0; }
    done
    echo "pg_lib: no PostgreSQL server (initdb, pg_ctl) under /usr/lib/postgresql: bash scripts/deps.sh" >&2
    return 1
}

pg_as_owner() { # command...: as the cluster's owner, in PG_DIR
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$PG_DIR" && setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@")
    else
        (cd "$PG_DIR" && "$@")
    fi
}

pg_free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_ctl_start() {
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR -c max_connections=100 -c shared_buffers=64MB" \
        start >/dev/null
}

pg_start() {
    pg_find_bin || return 1
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/spark-pg.XXXXXX") || return 1
    chmod 0700 "$PG_DIR"
    [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$PG_DIR"
    PG_PORT=$(pg_free_port)
    if ! pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U spark --auth=trust -E UTF8 \
        --no-locale -N >"$PG_DIR/initdb.log" 2>&1; then
        echo "pg_lib: initdb failed:" >&2
        cat "$PG_DIR/initdb.log" >&2
        return 1
    fi
    if ! pg_ctl_start; then
        echo "pg_lib: the server did not start:" >&2
        tail -20 "$PG_DIR/server.log" >&2
        return 1
    fi
    pg_as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U spark spark || return 1
    PG_URI="postgresql://spark@127.0.0.1:$PG_PORT/spark"
    return 0
}

pg_stop() { # [fast|immediate]
    [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ] || return 0
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m "${1:-fast}" -w -t 60 stop >/dev/null 2>&1
}

pg_restart() {
    pg_ctl_start || { tail -20 "$PG_DIR/server.log" >&2; return 1; }
}

pg_sql() {
    pg_as_owner "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U spark \
        -d spark -Atc "$1"
}

pg_cleanup() {
    [ -n "$PG_DIR" ] || return 0
    pg_stop immediate
    rm -rf "$PG_DIR"
    PG_DIR=
}
