"""Domain services, one room each. They receive what they need (a session, the log, the evidence store,
settings) as arguments, or the node's resources through ``context.NodeResources``; they never import the
runtime or the api."""
