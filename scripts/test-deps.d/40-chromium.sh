# Headless Chromium for the admin page browser test (Playwright for .NET drives Debian's /usr/bin/chromium).
# Sourced by scripts/test.sh: functions/subshells only, no `exit`.
mtc_install_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
  echo "Installing Debian's chromium (missing /usr/bin/chromium)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
}
mtc_install_chromium
export MTC_CHROMIUM_PATH="${MTC_CHROMIUM_PATH:-/usr/bin/chromium}"
