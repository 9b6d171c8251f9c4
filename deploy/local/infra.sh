#!/usr/bin/env bash
# Local infrastructure for cluster mode and the integration tests, without Docker:
# PostgreSQL and Redis from Debian's packages, Apache Kafka (KRaft, one broker) from the
# official jars on Maven Central, all bound to 127.0.0.1 with their data in a temporary
# directory.
#
#   deploy/local/infra.sh up       install what is missing, start what is not running
#   deploy/local/infra.sh down     stop what this script started (by PID file)
#   deploy/local/infra.sh status   say what answers on the configured ports
#   deploy/local/infra.sh env      print the connection variables (shell syntax)
#
# Idempotent: `up` reuses a server that already answers on its port. It ends only the
# processes it started itself, by their PID files.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE_DIR=${IOT_INFRA_DIR:-/tmp/iot-platform-infra}
CACHE_DIR=${IOT_INFRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iot-platform}
PG_PORT=${IOT_PG_PORT:-5432}
REDIS_PORT=${IOT_REDIS_PORT:-6379}
KAFKA_PORT=${IOT_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${IOT_KAFKA_CONTROLLER_PORT:-9093}
# How long Kafka keeps records, and how large a log segment grows (only whole segments are
# deleted): the benchmarks write gigabytes per run and keep theirs for minutes.
KAFKA_RETENTION_MINUTES=${IOT_KAFKA_RETENTION_MINUTES:-1440}
KAFKA_SEGMENT_MB=${IOT_KAFKA_SEGMENT_MB:-1024}
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/kafka/pom.xml")
KAFKA_LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
PG_USER=iot
PG_PASSWORD=iot
PG_DATABASES="iot iot_test"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # wait_for <seconds> <description> <command...>
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
  log "$what is ready"
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "installing $*"
  # Keep Debian's maintainer scripts from starting their own services: this script
  # runs its own instances on its own data directories.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod +x "$policy"
    created=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  [ "$created" -eq 0 ] || as_root rm -f "$policy"
}

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/postgres" ] && echo "$d"
}

ensure_packages() {
  local missing=()
  pg_bindir >/dev/null || missing+=(postgresql postgresql-client)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  # MQTT reference clients and broker used by the conformance tests and the benchmark.
  command -v mosquitto_sub >/dev/null || missing+=(mosquitto-clients)
  command -v mosquitto >/dev/null && [ -x "$(command -v mosquitto)" ] || missing+=(mosquitto)
  [ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
}

# --- PostgreSQL --------------------------------------------------------------------------
PG_DIR="$STATE_DIR/postgres"
pg_run() { # run a PostgreSQL binary as the unprivileged owner of the data directory
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_login_ok() {
  PGPASSWORD=$PG_PASSWORD psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d iot -tAc 'select 1' >/dev/null 2>&1
}
pg_up() {
  if port_open "$PG_PORT"; then
    pg_login_ok || die "something answers on 127.0.0.1:$PG_PORT but not as $PG_USER/iot; stop it or set IOT_PG_PORT"
    log "PostgreSQL already running on $PG_PORT"
    return
  fi
  local bin; bin=$(pg_bindir) || die "PostgreSQL binaries not found"
  mkdir -p "$STATE_DIR"
  if [ ! -s "$PG_DIR/data/PG_VERSION" ]; then
    mkdir -p "$PG_DIR/data" "$PG_DIR/run"
    [ "$(id -u)" -ne 0 ] || chown -R postgres:postgres "$PG_DIR"
    chmod 700 "$PG_DIR/data"
    local pwfile="$PG_DIR/pwfile"
    echo "$PG_PASSWORD" > "$pwfile"
    [ "$(id -u)" -ne 0 ] || chown postgres "$pwfile"
    pg_run "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    rm -f "$pwfile"
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  pg_run "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR/run -c fsync=off -c max_connections=300" start >/dev/null \
    || { tail -n 30 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
  local sql="psql -h $PG_DIR/run -p $PG_PORT -U postgres -d postgres -v ON_ERROR_STOP=1 -tAc"
  if [ "$(pg_run $sql "select 1 from pg_roles where rolname='$PG_USER'")" != 1 ]; then
    pg_run $sql "create role $PG_USER login createdb password '$PG_PASSWORD'" >/dev/null
  fi
  local db
  for db in $PG_DATABASES; do
    if [ "$(pg_run $sql "select 1 from pg_database where datname='$db'")" != 1 ]; then
      pg_run $sql "create database $db owner $PG_USER" >/dev/null
    fi
  done
  pg_login_ok || die "cannot log in to PostgreSQL as $PG_USER"
  log "PostgreSQL is ready"
}
pg_down() {
  local bin
  if [ -f "$PG_DIR/data/postmaster.pid" ] && bin=$(pg_bindir); then
    log "stopping PostgreSQL"
    pg_run "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || true
  fi
}

# --- Redis -------------------------------------------------------------------------------
REDIS_DIR="$STATE_DIR/redis"
redis_ping() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
redis_up() {
  if port_open "$REDIS_PORT"; then
    redis_ping || die "something answers on 127.0.0.1:$REDIS_PORT but is not Redis; stop it or set IOT_REDIS_PORT"
    log "Redis already running on $REDIS_PORT"
    return
  fi
  mkdir -p "$REDIS_DIR"
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --daemonize yes \
    --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" --save '' --appendonly no
  wait_for 20 Redis redis_ping || die "Redis did not start (see $REDIS_DIR/redis.log)"
}
redis_down() {
  if [ -f "$REDIS_DIR/redis.pid" ]; then
    log "stopping Redis"
    kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
    rm -f "$REDIS_DIR/redis.pid"
  fi
}

# --- Kafka (KRaft) -----------------------------------------------------------------------
KAFKA_DIR="$STATE_DIR/kafka"
kafka_fetch() {
  [ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] && return
  log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central"
  mkdir -p "$KAFKA_LIBS"
  mvn -q -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >&2 || die "could not fetch the Kafka jars"
}
# The G1 settings of Kafka's own kafka-run-class.sh (KAFKA_JVM_PERFORMANCE_OPTS): without
# MaxGCPauseMillis=20, G1 aims at 200 ms pauses, and produce requests wait behind them.
KAFKA_JVM_OPTS=(-Xms256m -Xmx768m -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true
  "-Xlog:gc*:file=$KAFKA_DIR/logs/gc.log:time,tags:filecount=3,filesize=20M"
  "-Dlog4j.configuration=file:$KAFKA_DIR/log4j.properties" "-Dkafka.logs.dir=$KAFKA_DIR/logs" -cp "$KAFKA_LIBS/*")
kafka_java() { java "${KAFKA_JVM_OPTS[@]}" "$@"; } # kafka_java <main class> <args...>
kafka_ready() { port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$KAFKA_DIR/logs/server.log" 2>/dev/null; }
kafka_up() {
  if port_open "$KAFKA_PORT"; then
    log "Kafka already running on $KAFKA_PORT"
    return
  fi
  kafka_fetch
  mkdir -p "$KAFKA_DIR/logs"
  cat >"$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.minutes=$KAFKA_RETENTION_MINUTES
log.segment.bytes=$((KAFKA_SEGMENT_MB * 1024 * 1024))
log.retention.check.interval.ms=60000
PROPS
  cat >"$KAFKA_DIR/log4j.properties" <<'PROPS'
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
PROPS
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    local cluster_id
    cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/format.log" 2>&1 \
      || { cat "$KAFKA_DIR/logs/format.log" >&2; die "formatting the Kafka log directory failed"; }
  fi
  : >"$KAFKA_DIR/logs/server.log"
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  # nohup execs java, so $! is the broker's own PID: `down` stops exactly that process.
  nohup java "${KAFKA_JVM_OPTS[@]}" kafka.Kafka "$KAFKA_DIR/server.properties" </dev/null >"$KAFKA_DIR/logs/stdout.log" 2>&1 &
  echo $! >"$KAFKA_DIR/kafka.pid"
  wait_for 120 Kafka kafka_ready || { tail -n 40 "$KAFKA_DIR/logs/server.log" "$KAFKA_DIR/logs/stdout.log" >&2; die "Kafka did not start"; }
}
kafka_down() {
  if [ -f "$KAFKA_DIR/kafka.pid" ]; then
    local pid; pid=$(cat "$KAFKA_DIR/kafka.pid")
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping Kafka"
      kill "$pid"
      local deadline=$((SECONDS + 30))
      while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$KAFKA_DIR/kafka.pid"
  fi
}

print_env() {
  cat <<ENV
DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/iot
TEST_DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/iot_test
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
ENV
}

status() {
  local rc=0
  if port_open "$PG_PORT" && pg_login_ok; then echo "postgres: up   127.0.0.1:$PG_PORT"; else echo "postgres: down"; rc=1; fi
  if redis_ping; then echo "redis:    up   127.0.0.1:$REDIS_PORT"; else echo "redis:    down"; rc=1; fi
  if port_open "$KAFKA_PORT"; then echo "kafka:    up   127.0.0.1:$KAFKA_PORT"; else echo "kafka:    down"; rc=1; fi
  return $rc
}

# The processes' ids (`name=pid`, one per line, of those running), e.g. for the benchmarks to pin
# them to a core of their own.
print_pids() {
  local name file pid
  for name in postgres redis kafka; do
    case $name in
      postgres) file="$PG_DIR/data/postmaster.pid" ;; # its first line is the postmaster's pid
      redis) file="$REDIS_DIR/redis.pid" ;;
      kafka) file="$KAFKA_DIR/kafka.pid" ;;
    esac
    [ -f "$file" ] || continue
    pid=$(head -1 "$file")
    if kill -0 "$pid" 2>/dev/null; then echo "$name=$pid"; fi
  done
  return 0
}

case "${1:-}" in
  up)
    ensure_packages
    pg_up
    redis_up
    kafka_up
    log "infrastructure is up; connection variables:"
    print_env
    ;;
  down) kafka_down; redis_down; pg_down ;;
  # Kafka alone, for tests that run their own broker (IOT_INFRA_DIR, IOT_KAFKA_PORT and
  # IOT_KAFKA_CONTROLLER_PORT pick where) and stop and restart it at will.
  kafka-up) kafka_up ;;
  kafka-down) kafka_down ;;
  status) status ;;
  env) print_env ;;
  pids) print_pids ;;
  *) echo "usage: $0 up|down|status|env|pids|kafka-up|kafka-down" >&2; exit 2 ;;
esac
