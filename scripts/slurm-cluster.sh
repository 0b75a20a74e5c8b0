#!/usr/bin/env bash
# A single-node Slurm cluster started as plain processes (no systemd), for CI and for the Slurm tests:
# munged, slurmctld and slurmd from Debian's slurm-wlm, one node with two fake GPUs (device files).
#
#   scripts/slurm-cluster.sh start    install slurm-wlm + munge if missing, write the config, start, wait for idle
#   scripts/slurm-cluster.sh stop     stop the daemons this script started
#   scripts/slurm-cluster.sh status   sinfo
#
# The config goes to /etc/slurm/slurm.conf (the path every Slurm command reads by default, so the tests and
# `pipeline.ts --executor slurm` need no SLURM_CONF); an existing slurm.conf that this script did not write is
# never overwritten. State, spool, logs and the fake devices live in $SLURM_CLUSTER_DIR (/var/tmp/pipeline-slurm).
set -euo pipefail

dir="${SLURM_CLUSTER_DIR:-/var/tmp/pipeline-slurm}"
conf_dir=/etc/slurm
conf="$conf_dir/slurm.conf"
marker='# written by scripts/slurm-cluster.sh'
# The toy tests' stages mostly sleep: four CPU slots on a 2-core machine let the GPU test's two jobs run beside
# a time-limit job (config_overrides accepts more CPUs than the hardware has).
cpus="${SLURM_CLUSTER_CPUS:-4}"

install() {
  if command -v slurmctld >/dev/null && command -v munged >/dev/null; then return; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
}

write_config() {
  if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
    echo "slurm-cluster: $conf exists and was not written by this script; not touching it" >&2
    exit 1
  fi
  mkdir -p "$conf_dir" "$dir"/{state,spool,log,dev}
  for i in 0 1; do [ -e "$dir/dev/fakegpu$i" ] || mknod "$dir/dev/fakegpu$i" c 1 3; done
  local mem
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
  cat >"$conf" <<EOF
$marker
ClusterName=pipeline
SlurmctldHost=$(hostname -s)
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
EnforcePartLimits=ALL
ReturnToService=2
MinJobAge=600
KillWait=5
SchedulerParameters=batch_sched_delay=0
SlurmdParameters=config_overrides
GresTypes=gpu
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
NodeName=$(hostname -s) CPUs=$cpus RealMemory=$mem Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  cat >"$conf_dir/gres.conf" <<EOF
$marker
Name=gpu File=$dir/dev/fakegpu[0-1]
EOF
}

wait_idle() {
  for _ in $(seq 1 100); do
    state=$(sinfo -hNo %t 2>/dev/null | head -1 || true)
    case "$state" in
      idle|mix|alloc) return 0 ;;
      drain*|inval*) scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.2
  done
  echo "slurm-cluster: the node did not reach idle (state: ${state:-none}); logs in $dir/log" >&2
  return 1
}

start() {
  install
  write_config
  mkdir -p /run/munge
  chown munge:munge /run/munge
  if ! pgrep -u munge -x munged >/dev/null; then runuser -u munge -- /usr/sbin/munged; fi
  [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null || /usr/sbin/slurmctld -c -f "$conf"
  [ -f "$dir/slurmd.pid" ] && kill -0 "$(cat "$dir/slurmd.pid")" 2>/dev/null || /usr/sbin/slurmd -f "$conf"
  wait_idle
  echo "slurm-cluster: up ($(sinfo -hNo '%N %c cpus %G %t'))"
}

stop() {
  for d in slurmd slurmctld; do
    if [ -f "$dir/$d.pid" ]; then
      pid=$(cat "$dir/$d.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$dir/$d.pid"
    fi
  done
  if [ -f /run/munge/munged.pid ]; then kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true; fi
  echo "slurm-cluster: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
