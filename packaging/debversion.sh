#!/bin/sh
# Prints the Debian version of the packages, from git:
#
#   tag v1.2.0 on HEAD             1.2.0
#   3 commits after v1.2.0         1.2.0+git20260114093012.3.1a2b3c4
#   no tag (v<digit>...) yet       0.0~git20260114093012.1a2b3c4
#   uncommitted changes            the above followed by +dirty
#   not a git checkout             0.0~unknown
#
# The timestamp is the commit's, in UTC, so that later commits sort later
# (dpkg compares the hash part as text, which is no order at all); ~ sorts
# before anything, so the first tag wins over every untagged build, and
# + sorts a build after its tag. A tag's "-rc1" becomes "~rc1", which
# sorts before the release.
set -e

if ! head=$(git rev-parse --short=7 HEAD 2>/dev/null); then
	echo 0.0~unknown
	exit 0
fi
stamp=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S HEAD)
dirty=
git update-index -q --refresh >/dev/null 2>&1 || true
if ! git diff-index --quiet HEAD -- 2>/dev/null; then
	dirty=+dirty
fi

if tag=$(git describe --tags --abbrev=0 --match 'v[0-9]*' HEAD 2>/dev/null); then
	base=$(echo "${tag#v}" | sed 's/-/~/g')
	n=$(git rev-list --count "$tag..HEAD")
	if [ "$n" = 0 ]; then
		echo "$base$dirty"
	else
		echo "$base+git$stamp.$n.$head$dirty"
	fi
else
	echo "0.0~git$stamp.$head$dirty"
fi
