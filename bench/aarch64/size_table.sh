#!/usr/bin/env bash
# The agent's own code for the room board (aarch64, -Os), per module, without
# shared libraries (mbedtls, libcoap, cJSON, FreeType, libtss2, libc): text,
# data and bss of each module's objects, by aarch64-linux-gnu-size.
# usage: bench/aarch64/size_table.sh [BUILD_DIR]   (default build-aarch64: the
# aarch64 preset, MinSizeRel = -Os; configure and build it first)
set -euo pipefail
B=${1:-build-aarch64}
SIZE=aarch64-linux-gnu-size
[ -d "$B" ] || { echo "no $B: run cmake --workflow --preset aarch64 (or configure+build it)"; exit 1; }
# module -> archives / object dirs (relative to the build dir). Whole
# archives: an object the agent does not link still counts (none of these
# has many). fw_proto_image (firmware images, sparkflash only) is left out.
declare -A MOD=(
  [trial]="firmware/trial/libfw_trial.a firmware/trial/libfw_trial_verify.a firmware/trial/libfw_trial_persist.a"
  [report]="firmware/report/libfw_report.a firmware/report/libfw_report_codec.a"
  [link]="firmware/link/libfw_link.a firmware/link/libfw_link_sm.a firmware/link/libfw_coap_io.a"
  [store]="firmware/store/libfw_store.a"
  [ui]="firmware/ui/libfw_ui.a firmware/ui/libfw_ui_model.a firmware/ui/libfw_ui_trial.a"
  [calling]="firmware/calling/libfw_calling.a"
  [crypto]="firmware/crypto/libfw_crypto.a"
  [proto]="firmware/proto/libfw_proto.a firmware/proto/libfw_proto_wire.a"
  [agent]="firmware/agent/libfw_agent.a"
  [common]="firmware/libfw_common.a firmware/libfw_file.a"
  [board]="boards/room/libboard_room_storage.a boards/room/CMakeFiles/board_room.dir boards/room/CMakeFiles/spark-agent-room.dir hal/posix/libhal_posix.a"
)
printf '| module | text | data | bss | total |\n|---|---:|---:|---:|---:|\n'
T=0; D=0; S=0
for m in trial report link store ui calling crypto proto agent board common; do
  files=()
  for f in ${MOD[$m]}; do
    if [ -d "$B/$f" ]; then
      while IFS= read -r o; do files+=("$o"); done < <(find "$B/$f" -name '*.o' | sort)
    else
      files+=("$B/$f")
    fi
  done
  read -r t d s < <($SIZE -t "${files[@]}" | tail -1 | awk '{print $1, $2, $3}')
  printf '| %s | %d | %d | %d | %d |\n' "$m" "$t" "$d" "$s" $((t + d + s))
  T=$((T + t)); D=$((D + d)); S=$((S + s))
done
printf '| **all** | **%d** | **%d** | **%d** | **%d** |\n' "$T" "$D" "$S" $((T + D + S))
echo
echo "spark-agent-room (linked, dynamic):"
$SIZE "$B/bin/spark-agent-room" | tail -1 | awk '{printf "  text %d, data %d, bss %d\n", $1, $2, $3}'
echo
echo "largest bss symbols of the agent (what its bss is):"
aarch64-linux-gnu-nm --size-sort -S "$B/bin/spark-agent-room" | awk '$3 ~ /[bB]/' | tail -12 |
  while read -r _ sz _ name; do printf '  %6d  %s\n' $((16#$sz)) "$name"; done
