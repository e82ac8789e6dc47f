#!/usr/bin/env bash
# Set up one server for the migdata Module 2 course with JupyterHub (run as root).
#
#   sudo INSTRUCTOR=lecturer STUDENTS=s100231,s100232 PYTHON=/opt/migdata/bin/python \
#        COURSE_DIR=/home/lecturer/module2-course/autograder bash autograder/hub/setup-hub.sh
#
# (or MIGDATA_GROUP=students instead of STUDENTS: the members of that Linux group). Run it from a
# copy of the repository that root owns (e.g. /opt/migdata-src), not from the instructor's course
# folder: the hub (root) reads jupyterhub_config.py from this script's folder.
#
# It does, and checks, what autograder/README.md (set-up 2) describes:
#   - configurable-http-proxy from npm, if missing;
#   - the exchange: $EXCHANGE owned by root (0755: no student creates a course folder),
#     $EXCHANGE/$COURSE_ID owned by the instructor (0755), with inbound/ (0733: students hand in,
#     nobody lists), outbound/ (0755) and feedback/ (0711); nbgrader told not to change these
#     modes (CourseDirectory.groupshared, also added to $COURSE_DIR/nbgrader_config.py), which
#     needs the instructor's primary group to be the instructor's alone (checked);
#   - home folders 0700 (existing users, and new ones via /etc/login.defs HOME_MODE);
#   - every student can run $PYTHON (the kit) afterwards: a kit installed under a 0700 home
#     would make every student's server fail;
#   - the course folder $COURSE_DIR (and ../assignments) owned by the instructor;
#   - /etc/jupyter/nbgrader_config.py: the exchange and course id for everybody;
#   - Jupyter configuration folders for students (no formgrader, create-assignment or course list)
#     and the instructor (everything; the formgrader bound to $COURSE_DIR);
#   - $HUB_ETC/migdata-hub.env for jupyterhub_config.py (it lists the students: 0600, root's) and,
#     with SYSTEMD=1, a systemd unit; the hub's state folder $HUB_STATE 0700.
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
ETC_JUPYTER="${ETC_JUPYTER:-/etc/jupyter}"   # tests point this at a temporary folder

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
if [ -w /etc/login.defs ] && [ "${SKIP_LOGIN_DEFS:-0}" != 1 ]; then
    if grep -q '^HOME_MODE' /etc/login.defs; then
        sed -i 's/^HOME_MODE.*/HOME_MODE\t0700/' /etc/login.defs
    else
        printf 'HOME_MODE\t0700\n' >> /etc/login.defs
    fi
fi
say "homes: 0700"

# 3b. the kit must run for every student (after the homes are closed) --------------------------------
for user in $everyone; do
    if ! why="$(cd / && runuser -u "$user" -- "$PYTHON" -c "import migdata, nbgrader, jupyterhub" 2>&1)"; then
        echo "setup-hub: ${why##*$'\n'}" >&2
        echo "setup-hub: the student $user cannot run $PYTHON with the kit (is it installed" \
             "under a folder students cannot read, such as a 0700 home?). Install it where" \
             "every user can read it: python3 -m venv /opt/migdata &&" \
             "/opt/migdata/bin/pip install \"migdata[course,hub] @ file:///path/to/migdata\"" >&2
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

# 4. every user's nbgrader: the exchange and the course ---------------------------------------------
mkdir -p "$ETC_JUPYTER"
cat > "$ETC_JUPYTER/nbgrader_config.py" <<EOF
# written by migdata autograder/hub/setup-hub.sh
c = get_config()
c.Exchange.root = "$EXCHANGE"
c.CourseDirectory.course_id = "$COURSE_ID"
# the exchange's folders and modes are set by setup-hub.sh: nbgrader leaves them alone
c.CourseDirectory.groupshared = True
EOF
chmod 0644 "$ETC_JUPYTER/nbgrader_config.py"
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
cp "$ETC_JUPYTER/nbgrader_config.py" "$student/nbgrader_config.py"
cat > "$instructor/labconfig/page_config.json" <<'EOF'
{"disabledExtensions": {}}
EOF
cat > "$instructor/nbgrader_config.py" <<EOF
# written by migdata autograder/hub/setup-hub.sh: the formgrader works on the course folder
c = get_config()
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
