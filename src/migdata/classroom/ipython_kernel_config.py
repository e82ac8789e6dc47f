# Installed by the migdata kit into <environment>/etc/ipython/ (pip's shared data): every kernel of
# this environment loads the %%answer cell magic, so an answer cell works before "Run All" and
# after a kernel restart.
c = get_config()  # noqa: F821
c.InteractiveShellApp.extensions.append("migdata.classroom.answering")
