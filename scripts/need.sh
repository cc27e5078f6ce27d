# need COMMAND DEBIAN-PACKAGE: sourced by the scripts here. Installs the package with apt-get when the command is missing
# and we are root on Debian; otherwise says what is missing and exits 2.
need() {
  command -v "$1" >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "${0##*/}: installing $2 (apt-get)"
    (apt-get update -qq && apt-get install -y -qq "$2") >/dev/null
  else
    echo "${0##*/}: '$1' is needed (apt-get install -y $2)" >&2; exit 2
  fi
}
