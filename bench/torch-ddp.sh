#!/usr/bin/env bash
# A localist model trained by its PyTorch twin with DDP on 2 processes (CPU, gloo), against the same
# run on 1 process, then brought back and swept by localist. Needs Debian's python3-torch.
#   bash bench/torch-ddp.sh [WORK_DIR] [STEPS]   (after npm run build; STEPS default 300)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
steps=${2:-300}
cli="node $root/bin/localist.js"
export PYTHONPATH="$root/python"
rm -rf "$work/init" "$work/one" "$work/two" "$work/back"
$cli train --out "$work/init" --init-only --vocab 2000 --layers 2 --heads 4 --d-model 64 \
  --context 32 --batch 16 --steps "$steps" --lr 3e-3 --warmup 30 --checkpoint-every 100 \
  --localist --blocks pos --penalty 0.1 --dial-range 0,1 --seed 1
$cli export --model "$work/init" --to torch "$work/one"
cp -r "$work/one" "$work/two"
start=$(date +%s)
/usr/bin/python3 -m localist_torch.train "$work/one"
middle=$(date +%s)
# --redirects 1 --tee 1: Debian's torch 1.13 on Python 3.11 mis-parses torchrun's default 0.
torchrun --redirects 1 --tee 1 --nproc_per_node 2 -m localist_torch.train "$work/two"
end=$(date +%s)
$cli import --from torch "$work/two" --out "$work/back"
$cli sweep --model "$work/back" --dials 0,0.5,1 --windows 100 --inspect-windows 8
/usr/bin/python3 - "$work" $((middle - start)) $((end - middle)) <<'PY'
import json, sys
work, one_s, two_s = sys.argv[1], sys.argv[2], sys.argv[3]
records = lambda run: [r for r in map(json.loads, open(f"{work}/{run}/metrics.jsonl")) if "loss" in r]
one, two = records("one"), records("two")
a, b = [r["loss"] for r in one], [r["loss"] for r in two]
diff = max(abs(x - y) for x, y in zip(a, b))
side = lambda rs, s: {"seconds": int(s), "tokensPerSecond": round(rs[-1]["tokensPerSecond"]), "firstLoss": rs[0]["loss"], "lastLoss": rs[-1]["loss"]}
print(json.dumps({"steps": len(a), "oneProcess": side(one, one_s), "twoProcesses": side(two, two_s),
                  "maxAbsLossDifference": diff}))
PY
