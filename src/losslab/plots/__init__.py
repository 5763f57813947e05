"""Figures: matplotlib (:mod:`losslab.plots.static`) and plotly (:mod:`losslab.plots.interactive`).

They take library results (Landscape, Trajectory, Walkthrough) and return
figure objects; they never evaluate a loss.
"""
