"""Programs, clips and their media, annotation projects, tasks, labels and reviews."""
