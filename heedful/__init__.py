"""The `heedful` command: the composition root that joins the web app, the jobs and the NLP CLIs."""
