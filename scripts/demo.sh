#!/usr/bin/env bash
# The offline demo, the README's first command: on a fresh machine, set up .venv from
# requirements.txt (PyPI only), then run the main job, `python -m newscrawl crawl --all`,
# replaying the bundled sample archive (samples/sample.warc.gz) through the real spiders:
# no news site is contacted. Prints the summary table and where the records are.
#
#   bash scripts/demo.sh                 # records in demo/output/<site>/<YYYY-MM-DD>.jsonl
#   NEWSCRAWL_DEMO_DIR=/tmp/d bash scripts/demo.sh
#   NEWSCRAWL_DEMO_NO_INSTALL=1 ...      # use .venv as it is (CI, tests)
set -euo pipefail
cd "$(dirname "$0")/.."
demo_dir="${NEWSCRAWL_DEMO_DIR:-demo}"
python=.venv/bin/python

if [ "${NEWSCRAWL_DEMO_NO_INSTALL:-0}" != 1 ]; then
  [ -x "$python" ] || python3 -m venv .venv
  echo "== installing requirements.txt into .venv (already installed packages are kept)"
  "$python" -m pip install -q --disable-pip-version-check -r requirements.txt
fi

# A demo starts from scratch: last demo's records and dedup state would make this run find
# nothing new (which is what a second cron run should do, not a demo).
rm -rf "$demo_dir/output" "$demo_dir/state" "$demo_dir/crawl.log"
mkdir -p "$demo_dir"

echo "== python -m newscrawl crawl --all, replaying samples/sample.warc.gz (log: $demo_dir/crawl.log)"
set +e
"$python" -m newscrawl crawl --all --output "$demo_dir/output" \
  -s NEWSCRAWL_REPLAY=samples/sample.warc.gz \
  -s NEWSCRAWL_STATE_DIR="$demo_dir/state" \
  -s LOG_FILE="$demo_dir/crawl.log"
code=$?
set -e

echo
echo "== records (JSONL, one article per line):"
find "$demo_dir/output" -name '*.jsonl' -not -path '*/runs/*' | sort | while read -r f; do
  printf '   %s  (%s records)\n' "$f" "$(wc -l < "$f")"
done
echo "== text records: $demo_dir/output/<site>/text/NNN_<id>.txt"
dups="$demo_dir/state/duplicates.jsonl"
echo "== copies caught by the dedup (not records; logged in $dups): $( [ -f "$dups" ] && wc -l < "$dups" || echo 0)"
if [ -f "$dups" ]; then
  "$python" -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    print("   %s\n      copy of record %s (%s, similarity %s)" % (d["url"], d["duplicate_of"], d["reason"], d.get("similarity")))' "$dups"
fi
echo "== run manifest: $(ls "$demo_dir"/output/runs/*.json 2>/dev/null | tail -n 1)"
echo "== first record:"
first=$(find "$demo_dir/output" -name '*.jsonl' -not -path '*/runs/*' | sort | head -n 1)
if [ -n "$first" ]; then
  head -n 1 "$first" | "$python" -c 'import json, sys; r = json.loads(sys.stdin.read()); print(json.dumps({k: (v[:160] + "…" if isinstance(v, str) and len(v) > 160 else v) for k, v in r.items()}, ensure_ascii=False, indent=1))'
fi
exit "$code"
