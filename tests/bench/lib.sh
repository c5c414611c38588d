# Shared by the benchmarks (source it after `cd` to the workspace root): timing, the synthetic
# national boundaries, the demo served, waiting for a server, wrk runs and how busy the machine is.

# measure LABEL COMMAND...: runs it with its output in $WORK/LABEL.log, prints wall seconds and
# peak RSS (GNU time), appends "LABEL<TAB>wall" to $WORK/walls.tsv.
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" > "$WORK/$label.log" 2>&1 || {
    tail -n 20 "$WORK/$label.log" >&2; exit 1; }
  read -r wall rss < "$WORK/time.txt"
  printf '%-40s wall %7.2f s   peak RSS %6.0f MiB\n' "$label" "$wall" "$((rss / 1024))"
  echo "$label	$wall" >> "$WORK/walls.tsv"
}

# machine_load: the load average, the CPUs and the share of CPU time the hypervisor gave to other
# guests over the last second (steal), to judge how busy the machine was.
machine_load() {
  local a b
  a=$(head -n1 /proc/stat); sleep 1; b=$(head -n1 /proc/stat)
  local steal
  steal=$(echo "$a
$b" | awk '{t=0; for (i=2; i<=NF; i++) t+=$i; s[NR]=$9; T[NR]=t}
    END {d=T[2]-T[1]; if (d > 0) printf "%.0f", 100*(s[2]-s[1])/d; else print 0}')
  echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), CPU steal ${steal} %"
}

# synth_areas DIR [BUURTEN]: the synthetic national gemeente/wijk/buurt GeoPackages of
# tests/bench/areas_data.py in DIR, made once and reused while the script is unchanged.
synth_areas() {
  local dir=$1 buurten=${2:-14000}
  local py=${LBM_PYTHON:-target/pyenv/bin/python}
  [ -x "$py" ] || py=python3
  "$py" -c 'import numpy, shapely' 2>/dev/null || {
    echo "needs numpy and shapely 2 for $py (pip install numpy shapely)" >&2; exit 2; }
  mkdir -p "$dir"
  local stamp
  stamp="$(sha256sum tests/bench/areas_data.py | cut -c1-16)-$buurten"
  if [ "$(cat "$dir/stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -f "$dir/stamp"
    local shared=${LBM_SHARED_DATA:-../shared/data}
    "$py" tests/bench/areas_data.py "$shared/gemeente_2024_rd.geojson" \
      "$shared/nl_places_geonames_pop500.csv" "$dir" --buurten "$buurten" > "$dir/summary.txt"
    echo "$stamp" > "$dir/stamp"
  fi
  cat "$dir/summary.txt"
}

# wait_up URL: until it answers (30 s at most).
wait_up() {
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "server at $1 did not come up" >&2
  exit 1
}

# serve_demo WORK PORT: the release binaries, the national demo in WORK/tiles (made once) and
# lbm-server on 127.0.0.1:PORT serving it (log: WORK/server-PORT.log), stopped when the script
# exits. For the browser benchmarks.
serve_demo() {
  local work=$1 port=$2
  cargo build --release -q -p lbm-server -p lbm-tiler
  if ! ls "$work/tiles"/*.mbtiles >/dev/null 2>&1; then
    target/release/lbm-tiler demo --out "$work/tiles"
  fi
  target/release/lbm-server --tiles "$work/tiles" --bind "127.0.0.1:$port" \
    > "$work/server-$port.log" 2>&1 &
  # shellcheck disable=SC2064 # the pid of this server, now
  trap "kill $! 2>/dev/null || true" EXIT
  wait_up "http://127.0.0.1:$port/health"
}

# wrk_run NAME PORT URLS: 3 s warm-up, then $DURATION s with $CONNECTIONS connections replaying
# the paths of URLS; the report goes to $WORK/wrk-NAME.txt.
# WRK_THREADS (default 2) client threads share the connections.
wrk_run() {
  local threads=${WRK_THREADS:-2}
  echo "-- $1 (warm-up 3 s, then ${DURATION} s, $CONNECTIONS connections, $threads threads)"
  URLS="$3" wrk -t"$threads" -c"$CONNECTIONS" -d3s -s tests/bench/replay.lua "http://127.0.0.1:$2" > /dev/null
  URLS="$3" wrk -t"$threads" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s tests/bench/replay.lua \
    "http://127.0.0.1:$2" | tee "$WORK/wrk-$1.txt"
}

# nginx_static_conf DIR PORT ROOT: writes DIR/static.conf, nginx serving the tile files under
# ROOT/tiles/ as lbm-server serves them (gzip as stored, the MVT type, ETags): as many workers as
# CPUs, sendfile, an open-file cache within the open-file limit, no access log.
nginx_static_conf() {
  local P=$1 port=$2 root=$3
  cat > "$P/static.conf" <<CONF
worker_processes auto;
worker_rlimit_nofile 16384;
pid $P/static.pid;
error_log $P/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=8000 inactive=60s;
  client_body_temp_path $P/client_body;
  proxy_temp_path $P/proxy;
  fastcgi_temp_path $P/fastcgi;
  uwsgi_temp_path $P/uwsgi;
  scgi_temp_path $P/scgi;
  server {
    listen 127.0.0.1:$port;
    root $root;
    location /tiles/ {
      types { }
      default_type application/vnd.mapbox-vector-tile;
      add_header Content-Encoding gzip;
      add_header Vary Accept-Encoding;
      etag on;
    }
  }
}
CONF
}
