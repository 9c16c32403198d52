#!/bin/sh
# One-shot: indexes deploy/addok/addresses.ndjson.gz (the territory's addok file of the Base Adresse Nationale) into
# the addok-redis database and the addok volume. Skipped when the file has not changed since the last run.
set -eu
src=/opt/comobi/addresses.ndjson.gz
if [ ! -f "$src" ]; then
  echo "addok-prepare: $src is missing (see deploy/addok/README.md); the app searches its gazetteer only" >&2
  exit 1
fi
sum=$(sha256sum "$src" | cut -d' ' -f1)
if [ -f /data/addresses.sha256 ] && [ "$(cat /data/addresses.sha256)" = "$sum" ]; then
  echo "addok-prepare: addresses unchanged, index kept"
  exit 0
fi
conf=/tmp/addok.conf
cp /opt/comobi/addok.conf "$conf"
echo "SQLITE_DB_PATH = '/data/addok.db'" >> "$conf"
export ADDOK_CONFIG_MODULE="$conf"
addok reset
gunzip -c "$src" | addok batch
addok ngrams
# The index lives in Redis memory: written to its volume now, not at the next save point.
python3 -c "import os, redis; redis.Redis(host=os.environ['REDIS_HOST']).save()"
echo "$sum" > /data/addresses.sha256
echo "addok-prepare: done"
