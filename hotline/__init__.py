"""Hotline back office: tickets, dossiers, working-day calendar and SLA, notifications, web app."""
