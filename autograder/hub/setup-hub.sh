#!/usr/bin/env bash
# Set up one server for the migdata Module 2 course with JupyterHub. Run it as root (no sudo
# needed), from the kit's clone:
#
#   cd /opt/migdata-src
#   INSTRUCTOR=lecturer STUDENTS=s100231,s100232 PYTHON=/opt/migdata/bin/python \
#       COURSE_DIR=/home/lecturer/module2-course/autograder bash autograder/hub/setup-hub.sh
#
# (or MIGDATA_GROUP=students instead of STUDENTS: the members of that Linux group). Run it from a
# clone of the repository that root owns (e.g. /opt/migdata-src), not from the instructor's course
# folder: the hub (root) reads jupyterhub_config.py from this script's folder. The clone holds the
# model answers (assignments/): the script closes it to everybody but its owner (0700), and refuses
# a kit installed inside it (a venv in the clone, or pip install -e), which students could not run.
#
# It does, and checks, what autograder/README.md (set-up 2) describes:
#   - configurable-http-proxy from npm, if missing;
#   - the exchange: $EXCHANGE owned by root (0755: no student creates a course folder),
#     $EXCHANGE/$COURSE_ID owned by the instructor (0755), with inbound/ (0733: students hand in,
#     nobody lists), outbound/ (0755) and feedback/ (0711); nbgrader told not to change these
#     modes (CourseDirectory.groupshared, also added to $COURSE_DIR/nbgrader_config.py), which
#     needs the instructor's primary group to be the instructor's alone (checked);
#   - home folders 0700 (existing users, and new ones via /etc/login.defs HOME_MODE; the file as
#     it was is kept in /etc/login.defs.migdata-orig);
#   - the kit's clone (this script's repository) 0700, checked: no student reads the model answers;
#   - every student can run $PYTHON (the kit) afterwards: a kit installed under a 0700 home, or a
#     venv made from a Python under one (root's pyenv), would make every student's server fail;
#   - the course folder $COURSE_DIR (and ../assignments) owned by the instructor;
#   - Jupyter configuration folders for students (no formgrader, create-assignment or course list)
#     and the instructor (everything; the formgrader bound to $COURSE_DIR);
#   - $HUB_ETC/migdata-hub.env for jupyterhub_config.py (it lists the students: 0600, root's) and,
#     with SYSTEMD=1, a systemd unit; the hub's state folder $HUB_STATE 0700.
# Outside the course folder it writes only: $EXCHANGE, $HUB_ETC, $HUB_STATE, the HOME_MODE line of
# /etc/login.defs and, with SYSTEMD=1, /etc/systemd/system/jupyterhub.service; it may install
# nodejs, npm and configurable-http-proxy. It writes nothing into /etc/jupyter: the students' and
# the instructor's servers get their nbgrader settings from $HUB_ETC (autograder/README.md says
# how to undo each change).
# Users are not created here: make them with adduser (or your directory) first.
# Who may log in: JupyterHub 5 and later let nobody in unless allowed. jupyterhub_config.py
# allows $STUDENTS and the instructor (allowed_users), or a Linux group (MIGDATA_GROUP,
# allowed_groups); it never sets allow_all, which would let in every Linux account of the server.
set -euo pipefail

: "${INSTRUCTOR:?set INSTRUCTOR to the Linux user of the instructor}"
STUDENTS="${STUDENTS:-}"
MIGDATA_GROUP="${MIGDATA_GROUP:-}"
COURSE_ID="${COURSE_ID:-migdata-module2}"
EXCHANGE="${EXCHANGE:-/srv/nbgrader/exchange}"
HUB_ETC="${HUB_ETC:-/etc/jupyterhub/migdata}"
HUB_STATE="${HUB_STATE:-/srv/jupyterhub}"
PYTHON="${PYTHON:-$(command -v python3)}"
COURSE_DIR="${COURSE_DIR:-$(getent passwd "$INSTRUCTOR" | cut -d: -f6)/module2-course/autograder}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOGIN_DEFS="${LOGIN_DEFS:-/etc/login.defs}"   # tests point this at a copy

say() { printf 'setup-hub: %s\n' "$*"; }
[ "$(id -u)" = 0 ] || { echo "setup-hub: run as root" >&2; exit 2; }
id "$INSTRUCTOR" >/dev/null 2>&1 || { echo "setup-hub: no Linux user $INSTRUCTOR" >&2; exit 2; }
# the hub runs as root with jupyterhub_config.py from this folder: it must not lie in the
# instructor's course folder, which is given to the instructor below (chown -R)
case "$HERE/" in
    "$(dirname "$COURSE_DIR")/"*)
        echo "setup-hub: $HERE is inside the instructor's course folder $(dirname "$COURSE_DIR"):" \
             "the hub's configuration would belong to $INSTRUCTOR. Run setup-hub.sh from a copy" \
             "of the repository that root owns (e.g. /opt/migdata-src/autograder/hub/)" >&2
        exit 2;;
esac
# the kit's clone: this script's repository. It holds the model answers and hidden tests
# (assignments/), and gradebooks, hand-ins and private variants once a course is graded in it;
# students must read none of it (step 3a closes it)
SRC="$(cd "$HERE/../.." && pwd -P)"
if [ "$SRC" = / ] || ! grep -qs '^name = "migdata"' "$SRC/pyproject.toml"; then
    echo "setup-hub: $SRC is not a clone of the kit (no pyproject.toml of migdata in it): run" \
         "setup-hub.sh from autograder/hub/ of a clone that root owns (e.g. /opt/migdata-src)" >&2
    exit 2
fi
# the students: STUDENTS, and the members of MIGDATA_GROUP (listed in it, or as primary group)
members=""
if [ -n "$MIGDATA_GROUP" ]; then
    ginfo="$(getent group "$MIGDATA_GROUP")" || {
        echo "setup-hub: no Linux group $MIGDATA_GROUP (MIGDATA_GROUP)" >&2; exit 2; }
    gid="$(echo "$ginfo" | cut -d: -f3)"
    members="$(echo "$ginfo" | cut -d: -f4 | tr ',' ' ') $(getent passwd |
        awk -F: -v g="$gid" '$4 == g {print $1}' | tr '\n' ' ')"
    [ -n "${members// /}" ] || {
        echo "setup-hub: the group $MIGDATA_GROUP has no members: add the students first" >&2
        exit 2; }
fi
everyone="$(echo ${STUDENTS//,/ } $members | tr ' ' '\n' | sort -u | tr '\n' ' ')"
"$PYTHON" -c "import jupyterhub, nbgrader, migdata" 2>/dev/null || {
    echo "setup-hub: $PYTHON lacks the kit: pip install 'migdata[course,hub]'" >&2; exit 2; }
# the kit must not run from inside the clone, which step 3a closes: not a venv made in it, not an
# editable install of it (students would run neither)
while read -r kitpath; do
    case "$kitpath/" in
        "$SRC/"*)
            echo "setup-hub: the kit ($kitpath) lies inside the kit's clone $SRC, which this" \
                 "script closes to students (it holds the model answers), so no student could" \
                 "run it. Make the environment outside the clone, from a Python every user can" \
                 "run, and install the kit into it (not editable, no -e):" \
                 "/usr/bin/python3 -m venv /opt/migdata &&" \
                 "/opt/migdata/bin/pip install \"migdata[course,hub] @ file://$SRC\"" >&2
            exit 2;;
    esac
done < <("$PYTHON" -c 'import os, sys, migdata
print(os.path.realpath(sys.prefix))
print(os.path.realpath(os.path.dirname(migdata.__file__)))')

# 1. the proxy (Node.js) -------------------------------------------------------------------------
if ! command -v configurable-http-proxy >/dev/null; then
    command -v npm >/dev/null || apt-get -o DPkg::Lock::Timeout=600 install -y nodejs npm
    npm install -g configurable-http-proxy
fi
say "proxy: $(command -v configurable-http-proxy)"

# 2. the exchange ----------------------------------------------------------------------------------
# (issue 19) root's, 0755: students cannot create course folders; the course folder is the
# instructor's. nbgrader would reset the root to 0777 on release (and insists it is writable by
# everyone): CourseDirectory.groupshared (step 4) tells it to leave the modes set here alone. It
# also makes what the instructor releases group-writable, so the instructor's primary group must
# hold nobody else.
igroup="$(id -gn "$INSTRUCTOR")"
igid="$(id -g "$INSTRUCTOR")"
shared="$(getent group "$igroup" | cut -d: -f4)"
others="$(getent passwd | awk -F: -v g="$igid" -v u="$INSTRUCTOR" '$4 == g && $1 != u {print $1}')"
if [ -n "$shared$others" ]; then
    echo "setup-hub: the instructor's primary group $igroup also holds: ${shared}${shared:+ }${others}" >&2
    echo "setup-hub: give $INSTRUCTOR a group of their own (usermod -g), then run this again" >&2
    exit 2
fi
mkdir -p "$EXCHANGE/$COURSE_ID"
chown root:root "$EXCHANGE"
chmod 0755 "$EXCHANGE"
course="$EXCHANGE/$COURSE_ID"
chown "$INSTRUCTOR:" "$course"
chmod 0755 "$course"
for sub in inbound:0733 outbound:0755 feedback:0711; do
    install -d -o "$INSTRUCTOR" -m "${sub#*:}" "$course/${sub%%:*}"
    chmod "${sub#*:}" "$course/${sub%%:*}"   # an existing folder keeps its old mode otherwise
done
# entries a student made while the exchange was open to all (an older set-up: 1777)
find "$EXCHANGE" -mindepth 1 -maxdepth 1 ! -user root ! -user "$INSTRUCTOR" -printf '%p %u\n' |
    while read -r entry owner; do
        say "warning: $entry in the exchange belongs to $owner, not to you: remove it"
    done
say "exchange: $EXCHANGE (0755, root's), $course owned by $INSTRUCTOR"

# 3. private home folders ----------------------------------------------------------------------------
for user in $INSTRUCTOR $everyone; do
    home="$(getent passwd "$user" | cut -d: -f6)"
    [ -d "$home" ] && chmod 0700 "$home"
done
# new users' homes too (useradd reads HOME_MODE): the one change to a file of the system; the
# file as it was is kept once, in $LOGIN_DEFS.migdata-orig (the guide says how to undo it)
if [ -w "$LOGIN_DEFS" ] && [ "${SKIP_LOGIN_DEFS:-0}" != 1 ] &&
        ! grep -qE '^HOME_MODE[[:space:]]+0700[[:space:]]*$' "$LOGIN_DEFS"; then
    [ -e "$LOGIN_DEFS.migdata-orig" ] || cp -p "$LOGIN_DEFS" "$LOGIN_DEFS.migdata-orig"
    was="$(grep '^HOME_MODE' "$LOGIN_DEFS" || true)"
    if [ -n "$was" ]; then
        sed -i 's/^HOME_MODE.*/HOME_MODE\t0700/' "$LOGIN_DEFS"
    else
        printf 'HOME_MODE\t0700\n' >> "$LOGIN_DEFS"
    fi
    say "changed $LOGIN_DEFS: HOME_MODE 0700 (was: ${was:-not set}); the file as it was: $LOGIN_DEFS.migdata-orig"
fi
say "homes: 0700"

# 3a. the kit's clone: nobody but its owner (root) reads the model answers ---------------------------
chmod go-rwx "$SRC"
for user in $INSTRUCTOR $everyone; do
    [ "$(stat -c %U "$SRC")" = "$user" ] && continue
    if runuser -u "$user" -- test -r "$SRC/pyproject.toml"; then
        echo "setup-hub: the user $user can still read the kit's clone $SRC (its model answers" \
             "in assignments/source): it belongs to $(stat -c %U "$SRC"); clone it as root into" \
             "a folder root owns (e.g. /opt/migdata-src) and run this again from there" >&2
        exit 2
    fi
done
say "kit's clone: $SRC closed (0700, $(stat -c %U "$SRC")'s): students cannot read its model answers"

# 3b. the kit must run for every student (after the homes are closed) --------------------------------
for user in $everyone; do
    if ! why="$(cd / && runuser -u "$user" -- "$PYTHON" -c "import migdata, nbgrader, jupyterhub" 2>&1)"; then
        echo "setup-hub: ${why##*$'\n'}" >&2
        # a venv runs the Python it was made from (pyvenv.cfg: home): one under a 0700 folder,
        # such as root's pyenv in /root, stops every student even if the venv itself is open
        venv="$(dirname "$(dirname "$PYTHON")")"
        home="$(sed -n 's/^home *= *//p' "$venv/pyvenv.cfg" 2>/dev/null | head -n 1)"
        closed=""
        if [ -n "$home" ]; then
            dir=""
            for part in ${home//\// }; do
                dir="$dir/$part"
                runuser -u "$user" -- test -x "$dir" || { closed="$dir"; break; }
            done
        fi
        if [ -n "$closed" ]; then
            echo "setup-hub: $PYTHON is a virtual environment made from the Python in $home" \
                 "(its base interpreter, named in $venv/pyvenv.cfg), which the student $user" \
                 "cannot run: $closed is closed to them. A venv keeps running the Python it" \
                 "was made from. Make it again from a Python every user can run:" \
                 "rm -rf $venv && /usr/bin/python3 -m venv $venv &&" \
                 "$venv/bin/pip install \"migdata[course,hub] @ file://$SRC\"" >&2
        else
            echo "setup-hub: the student $user cannot run $PYTHON with the kit (is it installed" \
                 "under a folder students cannot read, such as a 0700 home?). Install it where" \
                 "every user can read it: /usr/bin/python3 -m venv /opt/migdata &&" \
                 "/opt/migdata/bin/pip install \"migdata[course,hub] @ file://$SRC\"" >&2
        fi
        exit 2
    fi
done
[ -n "${everyone// /}" ] && say "kit: $PYTHON runs for every student" ||
    say "warning: no STUDENTS and no MIGDATA_GROUP: no student can log in yet"

# 3c. the course folder belongs to the instructor ---------------------------------------------------
if [ ! -f "$COURSE_DIR/nbgrader_config.py" ]; then
    echo "setup-hub: no $COURSE_DIR/nbgrader_config.py: copy autograder/ and assignments/ of the" \
         "repository into the instructor's course folder first (README, set-up 2, step 3)" >&2
    exit 2
fi
chown -R "$INSTRUCTOR:" "$COURSE_DIR"
if [ -d "$(dirname "$COURSE_DIR")/assignments" ]; then
    chown -R "$INSTRUCTOR:" "$(dirname "$COURSE_DIR")/assignments"
fi
say "course folder: $COURSE_DIR owned by $INSTRUCTOR"

# 4. the course's nbgrader: the exchange --------------------------------------------------------------
# (the users' servers get it from $HUB_ETC, step 5: nothing is written into /etc/jupyter)
# the instructor's migdata-course reads only the course's nbgrader_config.py: the same settings
if [ -f "$COURSE_DIR/nbgrader_config.py" ] &&
        ! grep -q '^# migdata setup-hub: the exchange' "$COURSE_DIR/nbgrader_config.py"; then
    cat >> "$COURSE_DIR/nbgrader_config.py" <<EOF

# migdata setup-hub: the exchange (added by autograder/hub/setup-hub.sh)
c.Exchange.root = "$EXCHANGE"
c.CourseDirectory.groupshared = True  # the exchange's modes are set by setup-hub.sh
EOF
    say "added the exchange settings to $COURSE_DIR/nbgrader_config.py"
elif [ ! -f "$COURSE_DIR/nbgrader_config.py" ]; then
    say "warning: no $COURSE_DIR/nbgrader_config.py yet: copy autograder/ there and run this again"
fi

# 5. Jupyter configuration of students and of the instructor -----------------------------------------
student="$HUB_ETC/student-config"
instructor="$HUB_ETC/instructor-config"
mkdir -p "$student/labconfig" "$instructor/labconfig"
cat > "$student/labconfig/page_config.json" <<'EOF'
{"disabledExtensions": {"@jupyter/nbgrader:formgrader": true,
                        "@jupyter/nbgrader:create-assignment": true,
                        "@jupyter/nbgrader:course-list": true}}
EOF
cat > "$student/jupyter_server_config.json" <<'EOF'
{"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": false,
                                       "nbgrader.server_extensions.course_list": false}}}
EOF
cat > "$student/nbgrader_config.py" <<EOF
# written by migdata autograder/hub/setup-hub.sh
c = get_config()
c.Exchange.root = "$EXCHANGE"
c.CourseDirectory.course_id = "$COURSE_ID"
# the exchange's folders and modes are set by setup-hub.sh: nbgrader leaves them alone
c.CourseDirectory.groupshared = True
EOF
cat > "$instructor/labconfig/page_config.json" <<'EOF'
{"disabledExtensions": {}}
EOF
# JupyterHub forbids framing a user's server (frame-ancestors 'none'); JupyterLab's Formgrader
# panel is a frame of the instructor's own server, and only there do its links to the sources
# open (in a browser tab of its own, nbgrader 0.9's links lack /user/<name>/)
cat > "$instructor/jupyter_server_config.json" <<'EOF'
{"ServerApp": {"tornado_settings": {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}}}
EOF
cat > "$instructor/nbgrader_config.py" <<EOF
# written by migdata autograder/hub/setup-hub.sh: the formgrader works on the course folder with
# the course's own settings (sources in ../assignments/source, the safe HTML); the instructor's
# server starts in the folder above it, so the formgrader's links to the sources open
c = get_config()
load_subconfig("$COURSE_DIR/nbgrader_config.py")
c.Exchange.root = "$EXCHANGE"
c.CourseDirectory.course_id = "$COURSE_ID"
c.CourseDirectory.root = "$COURSE_DIR"
c.CourseDirectory.groupshared = True
# nothing active from students in the formgrader (as in autograder/nbgrader_config.py)
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.preprocessors = ["migdata.grading.safehtml.SafeMarkdown"]
EOF
chmod a+rx "$HUB_ETC"
chmod -R a+rX "$student" "$instructor"   # not migdata-hub.env (step 6)
mkdir -p "$HUB_STATE"
chmod 0700 "$HUB_STATE"

# 6. settings for jupyterhub_config.py (and systemd) ------------------------------------------------
# it lists the students: root's alone (0600), made so before anything is written into it
rm -f "$HUB_ETC/migdata-hub.env"
install -m 0600 -o root -g root /dev/null "$HUB_ETC/migdata-hub.env"
cat > "$HUB_ETC/migdata-hub.env" <<EOF
MIGDATA_INSTRUCTOR=$INSTRUCTOR
MIGDATA_STUDENTS=$STUDENTS
MIGDATA_GROUP=$MIGDATA_GROUP
MIGDATA_COURSE_DIR=$COURSE_DIR
MIGDATA_HUB_ETC=$HUB_ETC
MIGDATA_HUB_STATE=$HUB_STATE
EOF
if [ "${SYSTEMD:-0}" = 1 ]; then
    cat > /etc/systemd/system/jupyterhub.service <<EOF
[Unit]
Description=JupyterHub (migdata Module 2)
After=network.target

[Service]
EnvironmentFile=$HUB_ETC/migdata-hub.env
WorkingDirectory=$HUB_STATE
ExecStart=$(dirname "$PYTHON")/jupyterhub -f $HERE/jupyterhub_config.py
Restart=on-failure

[Install]
WantedBy=multi-user.target
EOF
    systemctl daemon-reload
    systemctl enable --now jupyterhub
fi
say "allowed to log in: ${STUDENTS:-nobody listed in STUDENTS}${MIGDATA_GROUP:+, the members of $MIGDATA_GROUP} and $INSTRUCTOR (JupyterHub's allowed_users and allowed_groups; allow_all is off)"
say "memory: MIGDATA_MEM_LIMIT is shown to users but not enforced by the local-process spawner (README: sizing)"
say "done: start the hub with  env \$(cat $HUB_ETC/migdata-hub.env) $(dirname "$PYTHON")/jupyterhub -f $HERE/jupyterhub_config.py"
