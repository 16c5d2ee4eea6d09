"""xsanlint: the rule engine that checks a site of hosts for cross-file and cross-host mistakes."""
