# shellcheck shell=bash
# Sourced by scripts/test and scripts/demo.
#
# tropigrad_ensure_deps: make sure the Debian packages tropigrad needs are
# installed. As root, missing packages are installed with apt-get; otherwise
# the exact install command is printed and the function returns 1.

TROPIGRAD_DEBIAN_PACKAGES=(
  cmake
  g++
  libeigen3-dev
  catch2
  libbenchmark-dev
  zlib1g-dev
  dataset-fashion-mnist
  clang
  libclang-rt-14-dev
  gnuplot-nox
)

tropigrad_ensure_deps() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "warning: dpkg-query not found (not a Debian system?); not checking packages:" >&2
    echo "         ${TROPIGRAD_DEBIAN_PACKAGES[*]}" >&2
    return 0
  fi

  local missing=() pkg
  for pkg in "${TROPIGRAD_DEBIAN_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi

  echo "Missing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
  else
    echo "Install them with:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    return 1
  fi
}
