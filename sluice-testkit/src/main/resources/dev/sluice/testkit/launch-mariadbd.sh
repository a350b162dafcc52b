# Launcher and watchdog for one sandboxed mariadbd; run by MariaDbSandbox as
#   sh -c "<this script>" sluice-sandbox <jvm-pid> <sandbox-dir> <mariadbd> <mariadbd args...>
#
# It starts mariadbd as its own child, prints the server's pid as the first line on stdout, then polls both the
# JVM and the server. When the server exits it exits with the server's status. When the JVM disappears (also
# after SIGKILL, when no shutdown hook runs) it resumes and SIGKILLs the server and removes the sandbox dir.
#
# Why a polling shell and not prctl(PR_SET_PDEATHSIG) (setpriv --pdeathsig): the death signal fires when the
# *thread* that forked the child exits, and JVM threads that call ProcessBuilder.start() (JUnit workers, pools)
# end long before the JVM does. Polling /proc is immune to that.
#
# Liveness is read from /proc/PID/stat with shell builtins only (no fork per check): a zombie counts as dead
# (where PID 1 does not reap orphans, a killed JVM stays a zombie), and the process start time (field 22) is
# compared so that a reused pid is not mistaken for the original process.
set -f
jvm=$1
dir=$2
shift 2

# probe PID: true when PID exists and is not a zombie; leaves its start time in $st.
probe() {
    st=
    [ -r "/proc/$1/stat" ] || return 1
    read -r line 2>/dev/null <"/proc/$1/stat" || return 1
    set -- ${line##*) }
    case $1 in Z | X | x) return 1 ;; esac
    st=${20}
}

probe "$jvm" || exit 70
jvm_start=$st

"$@" >"$dir/mariadbd.out" 2>&1 </dev/null &
server=$!
echo "$server"
trap '' INT HUP

probe "$server"
server_start=$st
while probe "$server" && [ "$st" = "$server_start" ]; do
    if ! { probe "$jvm" && [ "$st" = "$jvm_start" ]; }; then
        kill -CONT "$server" 2>/dev/null
        kill -KILL "$server" 2>/dev/null
        wait "$server"
        rm -rf "$dir"
        exit 137
    fi
    sleep 0.1
done
wait "$server"
