#!/usr/bin/env bash
# Flashing throughput: `sparkflash flash` of a 64 MiB firmware into a host
# image file (signature + hash check of the image, erase, write, read back
# and compare, boot-record switch) and into a room board partition image
# (--board room: pwrite + fdatasync per erase and program, the room board's
# own flash code) against `dd` + `sha256sum` of the same bytes to a plain
# file, in the same run on the same file system.
#
# usage: bench/flash/bench_flash.sh PATH/TO/sparkflash [MiB] [RUNS] [DIR]
set -euo pipefail
SF=$(readlink -f "${1:?usage: $0 PATH/TO/sparkflash [MiB] [RUNS] [DIR]}")
MIB=${2:-64}
RUNS=${3:-3}
DIR=$(mktemp -d "${4:-${TMPDIR:-/tmp}}/bench_flash.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
cd "$DIR"

now() { date +%s.%N; }
mibps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.1f", b / 1048576 / t }'; }

bytes=$((MIB * 1024 * 1024))
head -c "$bytes" /dev/urandom >fw.bin
"$SF" keygen --out fw.pem >/dev/null
"$SF" sign --key fw.pem --version 1.0.0 --in fw.bin --out v1.img >/dev/null
"$SF" sign --key fw.pem --version 1.0.1 --in fw.bin --out v2.img >/dev/null
# Store region + two slots of (header + payload) rounded up to 16 KiB sectors.
slot=$(( ((bytes + 128 + 16383) / 16384) * 16384 ))
size=$(( 524288 + 2 * slot ))
"$SF" provision --image dev.img --create --flash-size "$size" --serial BENCH0001 --model Bench \
    --trial D1 --server coaps://localhost:5684 --licence-pubkey fw.pem.pub --region US \
    --locale en >/dev/null 2>&1
mkdir -m 700 secure
head -c "$size" /dev/zero | tr '\0' '\377' >room.img
printf 'serial = BENCH0002\n' >room.conf
"$SF" provision --image room.img --board room --config room.conf --secure-dir secure \
    --serial BENCH0002 --model Bench --trial D1 --server coaps://localhost:5684 \
    --licence-pubkey fw.pem.pub --region US --locale en >/dev/null 2>&1

fs=$(df -T . | awk 'NR == 2 { print $2 }')
echo "# $MIB MiB payload, $RUNS runs, file system $fs ($DIR)"
best_sf=999999 best_dd=999999 best_room=999999
for i in $(seq 1 "$RUNS"); do
    img=v$(( (i % 2) + 1 )).img # alternate versions so each run switches slot
    t0=$(now)
    "$SF" flash --image dev.img --firmware "$img" --pubkey fw.pem.pub --allow-downgrade \
        >sf.out 2>/dev/null
    t1=$(now)
    dd if=fw.bin of=dd.bin bs=1M conv=fsync status=none
    sha256sum dd.bin >/dev/null
    t2=$(now)
    rm -f dd.bin
    "$SF" flash --image room.img --board room --config room.conf --secure-dir secure \
        --firmware "$img" --pubkey fw.pem.pub --allow-downgrade >room.out 2>/dev/null
    t3=$(now)
    sf=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    dd=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')
    room=$(awk -v a="$t2" -v b="$t3" 'BEGIN { print b - a }')
    echo "run $i: sparkflash flash $(mibps "$bytes" "$sf") MiB/s (${sf}s end to end; $(grep -o '[0-9.]* MiB/s with read-back' sf.out) in the install phase), room target $(mibps "$bytes" "$room") MiB/s (${room}s), dd+sha256sum $(mibps "$bytes" "$dd") MiB/s (${dd}s)"
    best_room=$(awk -v a="$best_room" -v b="$room" 'BEGIN { print (b < a) ? b : a }')
    best_sf=$(awk -v a="$best_sf" -v b="$sf" 'BEGIN { print (b < a) ? b : a }')
    best_dd=$(awk -v a="$best_dd" -v b="$dd" 'BEGIN { print (b < a) ? b : a }')
done
echo "| $MIB MiB, $fs | sparkflash flash (verify image, erase, write, read back, switch) | $(mibps "$bytes" "$best_sf") MiB/s |"
echo "| $MIB MiB, $fs | sparkflash flash --board room (partition image file) | $(mibps "$bytes" "$best_room") MiB/s |"
echo "| $MIB MiB, $fs | dd bs=1M conv=fsync + sha256sum | $(mibps "$bytes" "$best_dd") MiB/s |"
