#!/usr/bin/env bash
# A one-node Slurm on this machine, for the cluster tests (test/sim/cluster/slurm.test.ts) and CI:
# munged, slurmctld and slurmd on localhost, no systemd, state under $NANOTERASU_SLURM_DIR
# (default /tmp/nanoterasu-slurm). Debian packages: slurm-wlm munge.
#
#   test/cluster/slurm-localhost.sh start     # writes slurm.conf, starts the daemons, waits for an idle node
#   test/cluster/slurm-localhost.sh stop      # stops the daemons this script started
#   test/cluster/slurm-localhost.sh status    # exit 0 when the node is up
#   test/cluster/slurm-localhost.sh env       # prints 'export SLURM_CONF=...' for the client commands
#
# On failure it prints one line starting with 'slurm-localhost: cannot start:' and the reason, and
# exits 3, so that callers can skip their Slurm test with that reason.
set -uo pipefail

DIR="${NANOTERASU_SLURM_DIR:-/tmp/nanoterasu-slurm}"
CONF="$DIR/slurm.conf"
export SLURM_CONF="$CONF"

fail() { echo "slurm-localhost: cannot start: $*" >&2; exit 3; }

node_up() {
  local state
  state="$(sinfo -h -n localhost -o %T 2>/dev/null | head -n1)"
  [[ "$state" == idle* || "$state" == mixed* || "$state" == allocated* ]]
}

start() {
  for c in munged slurmctld slurmd sbatch sinfo scontrol; do
    command -v "$c" >/dev/null 2>&1 || fail "'$c' not found (apt-get install slurm-wlm munge)"
  done
  if [ "$(id -u)" -ne 0 ]; then fail "needs root (the daemons and munge run as root/munge here)"; fi
  if [ -f "$CONF" ] && scontrol ping >/dev/null 2>&1 && node_up; then echo "slurm-localhost: already up ($CONF)"; return 0; fi
  mkdir -p "$DIR/state" "$DIR/spool" || fail "cannot create $DIR"

  # munge: a key and a running daemon (the Debian package creates the key; make one if not)
  if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null 2>&1; then mungekey --create >/dev/null 2>&1; else dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
    chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    runuser -u munge -- munged >/dev/null 2>&1 || munged --force >/dev/null 2>&1 || fail "munged does not start"
    sleep 1
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 || fail "munge credential round trip fails"
  fi

  local cpus mem
  cpus="$(nproc)"
  # half the memory, at most 8 GB, in MB (slurmd refuses a node that claims more than it has)
  mem="$(awk '/MemTotal/ { m = int($2 / 1024 / 2); if (m > 8192) m = 8192; print m }' /proc/meminfo)"
  cat > "$CONF" <<CONF
# written by test/cluster/slurm-localhost.sh: one node, localhost only
ClusterName=nanoterasu-local
SlurmctldHost=localhost
SlurmctldAddr=127.0.0.1
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
DefMemPerCPU=1000
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF

  slurmctld -f "$CONF" >>"$DIR/start.log" 2>&1 || fail "slurmctld exited: $(tail -n 3 "$DIR/slurmctld.log" 2>/dev/null | tr '\n' ' ')"
  slurmd -f "$CONF" -N localhost >>"$DIR/start.log" 2>&1 || fail "slurmd exited: $(tail -n 3 "$DIR/slurmd.log" 2>/dev/null | tr '\n' ' ')"
  for _ in $(seq 1 30); do
    if scontrol ping >/dev/null 2>&1 && node_up; then echo "slurm-localhost: up ($CONF, $cpus CPUs, ${mem} MB)"; return 0; fi
    scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true
    sleep 1
  done
  fail "node not idle after 30 s: $(sinfo -h -o '%T %E' 2>&1 | head -n1); slurmd.log: $(tail -n 2 "$DIR/slurmd.log" 2>/dev/null | tr '\n' ' ')"
}

stop() {
  for d in slurmd slurmctld; do
    local pidfile="$DIR/$d.pid"
    if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  echo "slurm-localhost: stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) scontrol ping >/dev/null 2>&1 && node_up ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
