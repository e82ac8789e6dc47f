# Installed by the migdata kit into <environment>/etc/ipython/ (pip's shared data): every kernel of
# this environment loads the %%answer cell magic, so an answer cell works before "Run All" and
# after a kernel restart.
try:
    c = get_config()  # given by IPython when it reads this file as configuration
except NameError:  # imported as a module of the package (tests list the modules): nothing to set
    c = None
if c is not None:
    c.InteractiveShellApp.extensions.append("migdata.classroom.answering")
