#!/usr/bin/env bash
# Regenerates the small rpm databases the rpm reader tests use (committed; run by hand):
#   rpmdb.sqlite      rpm --initdb + rpm -i --justdb of 12 tiny noarch rpms built here with rpmbuild
#                     (one with 700 files, so its header spans SQLite overflow pages)
#   Packages-1k       Berkeley DB hash, 1 KiB pages: db_load of the same header blobs (every value on
#                     overflow pages, chains of up to 90 pages); Debian's rpm reads it with bdb_ro
#   Packages-16k      the same with 16 KiB pages (values inline on the hash pages)
#   Packages.db       ndb, written by ndb-write.py to rpm's lib/backend/ndb/rpmpkg.c layout (Debian's
#                     rpm has no ndb backend, so no real tool can write one here)
#   expected.txt      `rpm -qa --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}'` of rpmdb.sqlite, sorted
# Needs rpm, rpmbuild (Debian's rpm package), sqlite3's python module, db5.3-util.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
T=$work/top
mkdir -p "$T"/{SPECS,RPMS,BUILD,SOURCES,SRPMS}
for i in $(seq 1 12); do
  files=$(( i == 12 ? 700 : i * 3 ))
  cat > "$T/SPECS/p$i.spec" <<SPEC
Name: dflint-test-pkg$i
Version: 1.$i
Release: $i.fc39
Epoch: $((i % 3))
Summary: test package $i
License: MIT and GPL-2.0-or-later
Vendor: dflint tests
BuildArch: noarch
%description
Test package $i for dflint's rpm database readers.
%install
mkdir -p %{buildroot}/usr/share/dflint-test/pkg$i
for k in \$(seq 1 $files); do echo "file \$k of $i" > %{buildroot}/usr/share/dflint-test/pkg$i/file-\$k.txt; done
%files
/usr/share/dflint-test/pkg$i
SPEC
  rpmbuild -bb --quiet --define "_topdir $T" "$T/SPECS/p$i.spec" >/dev/null 2>&1
done
db=$work/db
mkdir -p "$db"
rpm --initdb --dbpath "$db" --define '_db_backend sqlite'
rpm -i --justdb --nodeps --dbpath "$db" --define '_db_backend sqlite' "$T"/RPMS/noarch/*.rpm 2>/dev/null
cp "$db/rpmdb.sqlite" rpmdb.sqlite
rpm -qa --dbpath "$db" --define '_db_backend sqlite' --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n' | sort > expected.txt
python3 - "$work/dump.txt" <<'PY'
import sqlite3, struct, sys
c = sqlite3.connect('rpmdb.sqlite')
with open(sys.argv[1], 'w') as out:
    esc = lambda b: ''.join('\\%02x' % x for x in b)
    for hnum, blob in c.execute('select hnum, blob from Packages order by hnum'):
        out.write(esc(struct.pack('<I', hnum)) + '\n' + esc(blob) + '\n')
PY
rm -f Packages-1k Packages-16k
db_load -T -t hash -c db_pagesize=1024 -f "$work/dump.txt" Packages-1k
db_load -T -t hash -c db_pagesize=16384 -f "$work/dump.txt" Packages-16k
for f in Packages-1k Packages-16k; do
  mkdir -p "$work/$f" && cp $f "$work/$f/Packages"
  rpm -qa --dbpath "$work/$f" --define '_db_backend bdb_ro' --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n' 2>/dev/null | sort | cmp - expected.txt
done
python3 ndb-write.py rpmdb.sqlite Packages.db
echo "made: $(ls)"
