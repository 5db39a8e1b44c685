# Sourced by the TPM tests: Debian's swtpm as a socket TPM 2.0 on loopback,
# with its state in a directory the test owns.
#   swtpm_start STATE_DIR  start (or restart on the same state); sets
#                          SWTPM_PID and SWTPM_TCTI (for the room config's tpm =)
#   swtpm_stop             stop it (the state stays in STATE_DIR)
# The caller's EXIT trap must call swtpm_stop, so swtpm never outlives a test.
SWTPM_PID=
SWTPM_TCTI=
SWTPM_PORT=

swtpm_start() {
    local dir=$1
    mkdir -p "$dir"
    if [ -z "$SWTPM_PORT" ]; then
        # Two free TCP ports on 127.0.0.1: the TPM's and its control channel.
        SWTPM_PORT=$(python3 -c 'import socket
while True:
    a=socket.socket(); a.bind(("127.0.0.1",0)); p=a.getsockname()[1]
    try:
        b=socket.socket(); b.bind(("127.0.0.1",p+1)); print(p); break
    except OSError: pass')
    fi
    swtpm socket --tpm2 --tpmstate dir="$dir" \
        --server type=tcp,port="$SWTPM_PORT",bindaddr=127.0.0.1 \
        --ctrl type=tcp,port=$((SWTPM_PORT + 1)),bindaddr=127.0.0.1 \
        --flags not-need-init,startup-clear >"$dir.log" 2>&1 &
    SWTPM_PID=$!
    SWTPM_TCTI="swtpm:host=127.0.0.1,port=$SWTPM_PORT"
    local i
    for i in $(seq 1 100); do
        if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$SWTPM_PORT),1)" \
            2>/dev/null; then
            return 0
        fi
        kill -0 "$SWTPM_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "swtpm did not start:"; cat "$dir.log"
    return 1
}

swtpm_stop() {
    if [ -n "$SWTPM_PID" ]; then
        kill -TERM "$SWTPM_PID" 2>/dev/null
        wait "$SWTPM_PID" 2>/dev/null
        SWTPM_PID=
    fi
}
