#!/bin/sh
# Capture the runtime state xsanlint compares with the configuration (the STATE rules and the
# version evidence) into DIR/captures/, one file per command:
#
#   sh xsan-capture.sh [DIR]        (as root; DIR defaults to ./$(uname -n))
#
# DIR is the host's root as xsanlint reads it: a copy of its /etc (DIR/etc) or an empty
# directory, which gets an etc/hostname so that xsanlint knows the host.  Then, from the machine
# that holds the site:  xsanlint site/   (site/san1/etc, site/san1/captures, ...).
#
# A command that is not installed, or that fails, writes no file (xsanlint then judges nothing
# that needs it) and is named on stderr; the script itself always exits 0.  iscsiadm's "no
# active sessions" is an answer (exit 21), kept as such.  Nothing is written outside DIR, and
# each file is written whole or not at all (a temporary file renamed).  iscsiadm and targetcli
# print CHAP passwords as ******** unless asked to show them; no command here asks.

dir=${1:-./$(uname -n)}
out=$dir/captures
mkdir -p "$out" "$dir/etc" || exit 0
[ -e "$dir/etc/hostname" ] || uname -n >"$dir/etc/hostname"

# capture FILE OKCODES COMMAND...: COMMAND's output into $out/FILE when it exits with one of
# OKCODES (a space-separated list)
capture() {
	file=$1 ok=$2
	shift 2
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "xsan-capture: $1 is not installed; no $file" >&2
		return 0
	fi
	LC_ALL=C "$@" >"$out/.$file.tmp" 2>&1
	code=$?
	for good in $ok; do
		if [ "$code" = "$good" ]; then
			mv -f "$out/.$file.tmp" "$out/$file"
			return 0
		fi
	done
	rm -f "$out/.$file.tmp"
	echo "xsan-capture: '$*' failed (exit $code); no $file" >&2
	return 0
}

capture proc-drbd.txt 0 cat /proc/drbd
capture drbdadm-status.txt 0 drbdadm status
capture drbdsetup-status-json.txt 0 drbdsetup status --json
capture drbdsetup-show.txt 0 drbdsetup show
capture modinfo-drbd.txt 0 modinfo drbd
capture multipath-ll.txt 0 multipath -ll
capture iscsiadm-session.txt "0 21" iscsiadm -m session -P 3
capture iscsiadm-node.txt "0 21" iscsiadm -m node -o show
capture targetcli-ls.txt 0 targetcli ls
capture proc-cmdline.txt 0 cat /proc/cmdline
capture dmesg.txt 0 dmesg
exit 0
