"""The project model: projects, workflows and the compiled task tree."""
