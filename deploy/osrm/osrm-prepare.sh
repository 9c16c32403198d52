#!/bin/sh
# Prepares the OSRM car graph (MLD) from /opt/comobi/$OSRM_REGION.osm.pbf into /data, once per extract: the
# checksum of the extract is kept beside the graph and the work is skipped when it has not changed.
set -eu
region="${OSRM_REGION:-region}"
src="/opt/comobi/${region}.osm.pbf"
if [ ! -f "$src" ]; then
  echo "osrm-prepare: $src is missing: download your region's extract (e.g. a Geofabrik .osm.pbf) to deploy/osrm/${region}.osm.pbf" >&2
  exit 1
fi
sum="$(md5sum "$src" | cut -d' ' -f1)"
if [ -f "/data/${region}.osrm.mldgr" ] && [ "$(cat "/data/${region}.md5" 2>/dev/null)" = "$sum" ]; then
  echo "osrm-prepare: graph up to date for ${region}.osm.pbf ($sum)"
  exit 0
fi
# Built under a temporary name, then moved: osrm-routed never sees half a graph.
rm -rf /data/tmp && mkdir -p /data/tmp
cp "$src" "/data/tmp/${region}.osm.pbf"
osrm-extract -p /opt/car.lua "/data/tmp/${region}.osm.pbf"
osrm-partition "/data/tmp/${region}.osrm"
osrm-customize "/data/tmp/${region}.osrm"
rm "/data/tmp/${region}.osm.pbf"
mv /data/tmp/"${region}".osrm* /data/
echo "$sum" > "/data/${region}.md5"
rmdir /data/tmp
echo "osrm-prepare: graph ready for ${region}.osm.pbf ($sum)"
