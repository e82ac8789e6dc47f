# The course's exchange is ngshare (autograder/k8s/README.md). The Dockerfile adds these lines
# to the end of the course's nbgrader_config.py: `migdata-course release`, `collect` and
# `feedback --release`, run in a terminal of the instructor's server, read only that file, and
# so go through ngshare as the students' nbgrader does (tests/test_hub_ngshare.py runs them).
import os as _os

# ngshare knows a user by the hub's token, which the hub gives every user's server
# (JUPYTERHUB_USER, JUPYTERHUB_API_TOKEN). The grading Job has no hub user and needs no
# exchange; ngshare_exchange could not even be imported there (it reads the user's name).
if _os.environ.get("JUPYTERHUB_USER"):
    from ngshare_exchange import configureExchange

    # in a pod of the Zero to JupyterHub chart, ngshare_exchange finds ngshare by itself at
    # http://proxy-public/services/ngshare; MIGDATA_NGSHARE_URL names another address
    configureExchange(c, _os.environ.get("MIGDATA_NGSHARE_URL") or None)  # noqa: F821
