#!/usr/bin/env bash
# The main job: installs what is missing, builds, then runs a simulated room
# endpoint on the host board through a working week of calls and meetings.
# Everything it makes goes to demo-out/ (flash image, secure file, screens).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default

bin=build/bin
out=demo-out
rm -rf "$out"
mkdir -p "$out"
img=$out/room1.img
start=2026-12-01T00:00:00Z   # scenario times count from here

echo
echo "== 1. A factory-fresh device boots: not provisioned, setup screen, exit 78"
set +e
"$bin/spark-agent" --flash "$img" --serial FOC2240Y1ZZ --clock-start "$start" --clock-rate 0 \
    --run-for 60 --screen "$out/screen-unprovisioned"
code=$?
set -e
echo "spark-agent exited $code (78 = not provisioned); screen: $out/screen-unprovisioned/current.png"

if [ -x "$bin/sparkflash" ]; then
    echo
    echo "== 2. A technician provisions it (sparkflash)"
    "$bin/sparkflash" keygen --out "$out/licence-signing.pem"
    "$bin/sparkflash" provision --image "$img" --serial FOC2240Y1ZZ --model "Spark Room Kit" \
        --trial D1000001 --server coaps://127.0.0.1:5684 \
        --licence-pubkey "$out/licence-signing.pem.pub" --region US --locale en \
        --return-url https://partner.example/rma --enroll-out "$out/enroll.json"
    "$bin/sparkflash" show --image "$img"

    echo
    echo "== 3. The room is used for a week (examples/week.jsonl), simulated as fast as possible"
    "$bin/spark-agent" --flash "$img" --clock-start "$start" --clock-rate 0 \
        --scenario examples/week.jsonl --run-for $((5 * 86400)) --screen "$out/screen"
    echo "screens: $out/screen/"
fi
