#!/bin/sh
# The real agent on the room board: a factory-fresh (all 0xFF, unprovisioned)
# flash file, a fresh secure dir, no framebuffer, a loopback call socket.
# Expect a message saying the device is not provisioned, the agent up (safe
# mode: emergency calls only) until --run-for, then exit 78.
set -u
agent="$1"
dir=$(mktemp -d /tmp/room-agent-XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT
mkdir -m 700 "$dir/secure"
head -c 524288 /dev/zero | tr '\000' '\377' > "$dir/flash.bin"
cat > "$dir/room.conf" <<CONF
# written by agent_unprovisioned.sh
flash = $dir/flash.bin
secure_dir = $dir/secure
fb = none
input = none
call_socket = $dir/call.sock
serial = RK-TEST-0001
secure_backend = file
iface = lo
support_listen = off
CONF
timeout 60 "$agent" --config "$dir/room.conf" --log-stderr --run-for 1 > "$dir/out" 2>&1
rc=$?
cat "$dir/out"
if [ "$rc" -ne 78 ]; then
    echo "FAIL: expected exit 78 (unprovisioned), got $rc"
    exit 1
fi
if ! grep -q "not provisioned" "$dir/out"; then
    echo "FAIL: no 'not provisioned' message"
    exit 1
fi
if ! grep -q "stopping (safe mode)" "$dir/out"; then
    echo "FAIL: the agent did not stay up serving calls until --run-for (safe mode)"
    exit 1
fi
if [ ! -s "$dir/secure/device.key" ] || [ ! -s "$dir/secure/counter" ]; then
    echo "FAIL: first boot did not create the device key and counter"
    exit 1
fi
# A bad config key is a usage error (64) naming the key.
echo "colour = blue" >> "$dir/room.conf"
timeout 60 "$agent" --config "$dir/room.conf" > "$dir/out" 2>&1
rc=$?
cat "$dir/out"
if [ "$rc" -ne 64 ] || ! grep -q "key 'colour'" "$dir/out"; then
    echo "FAIL: expected exit 64 naming key 'colour', got $rc"
    exit 1
fi
echo "PASS"
