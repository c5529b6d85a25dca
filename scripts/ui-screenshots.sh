#!/usr/bin/env bash
# ui-screenshots.sh — capture every tab of the desktop app at 1280×800.
#
# Builds the desktop binary, prepares a small project with the CLI
# (synthetic archive → mining → BM25 → hard negatives → a short training of
# one MiniLM layer → evaluation), then runs the app under Xvfb with Mesa's software
# renderer in its scripted mode (--screenshot-dir): the app opens each tab,
# writes NN-tab.canvas.png (its own capture) and NN-tab.ready; this script then
# grabs the whole screen with `import -window root` into NN-tab.png and
# deletes the .ready file so the app moves on.
#
# Usage: scripts/ui-screenshots.sh [OUT_DIR]   (default: build/screenshots)
# Env:   PRECEDENT_HOME   use this prepared project instead of building one
#        THEME            light | dark (default light)
#        TICKETS          size of the prepared synthetic archive (default 1500)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/build/screenshots}"
THEME="${THEME:-light}"
TICKETS="${TICKETS:-1500}"
DISPLAY_NUM="${DISPLAY_NUM:-:99}"
mkdir -p "$OUT" "$ROOT/build"
OUT="$(cd "$OUT" && pwd)"
rm -f "$OUT"/*.png "$OUT"/*.ready "$OUT"/done

export CGO_LDFLAGS="-L$ROOT/third_party/lib" # the Makefile's flags exactly: any change rebuilds cgo (minutes)
export GOMLX_NO_AUTO_INSTALL=1
cd "$ROOT"
echo "building the desktop app and the CLI…"
go build -o build/precedent-desktop .
go build -o build/precedent ./cmd/precedent

if [[ -z "${PRECEDENT_HOME:-}" ]]; then
	export PRECEDENT_HOME="$ROOT/build/screenshot-project"
	if [[ ! -f "$PRECEDENT_HOME/.demo-ready" ]]; then
		rm -rf "$PRECEDENT_HOME"
		echo "preparing a $TICKETS-ticket project in $PRECEDENT_HOME…"
		P=build/precedent
		$P synth --out "$PRECEDENT_HOME/synthetic" --tickets "$TICKETS" >/dev/null
		$P import "$PRECEDENT_HOME/synthetic/tickets.csv" >/dev/null
		$P mine >/dev/null
		$P firststage >/dev/null
		$P negatives mine >/dev/null
		# A short run from the first layer of the bundled MiniLM: enough to fill
		# the Training, Evaluation and Export tabs, not to be accurate.
		if $P train --layers 1 --max-len 64 --steps 20 --batch 8 --val-queries 20 --val-depth 10 >/dev/null; then
			$P eval --depth 10 --max-queries 40 --permutations 500 --bootstrap 200 >/dev/null ||
				echo "warning: evaluation failed; the Evaluation tab will say so" >&2
		else
			echo "warning: training failed; the Training tab will show no runs" >&2
		fi
		touch "$PRECEDENT_HOME/.demo-ready"
	fi
fi
echo "project: $PRECEDENT_HOME"

# A private Fyne settings folder pins the theme without touching the user's.
export XDG_CONFIG_HOME="$ROOT/build/screenshot-config"
mkdir -p "$XDG_CONFIG_HOME/fyne"
printf '{"theme":"%s"}\n' "$THEME" >"$XDG_CONFIG_HOME/fyne/settings.json"
export FYNE_THEME="$THEME"

Xvfb "$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
APP=""
cleanup() {
	[[ -n "$APP" ]] && kill "$APP" 2>/dev/null || true
	kill "$XVFB" 2>/dev/null || true
}
trap cleanup EXIT
export DISPLAY="$DISPLAY_NUM" LIBGL_ALWAYS_SOFTWARE=1 GALLIUM_DRIVER=llvmpipe
sleep 1

build/precedent-desktop --screenshot-dir "$OUT" >"$OUT/app.log" 2>&1 &
APP=$!
deadline=$((SECONDS + 240))
while [[ ! -f "$OUT/done" ]]; do
	if ! kill -0 "$APP" 2>/dev/null; then
		echo "the app exited early; see $OUT/app.log" >&2
		tail -20 "$OUT/app.log" >&2
		exit 1
	fi
	if ((SECONDS > deadline)); then
		echo "timed out waiting for the app" >&2
		exit 1
	fi
	for ready in "$OUT"/*.ready; do
		[[ -e "$ready" ]] || continue
		name="$(basename "$ready" .ready)"
		# Maximise first: the window manager-less X server leaves it where it was mapped.
		xdotool search --name '^Precedent$' windowsize 1280 800 windowmove 0 0 2>/dev/null || true
		sleep 0.5
		import -window root "$OUT/$name.png"
		echo "captured $OUT/$name.png"
		rm -f "$ready"
	done
	sleep 0.2
done
wait "$APP" || true
APP=""
ls -1 "$OUT"/*.png
