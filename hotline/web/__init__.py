"""The hotline web app (aiohttp): operator console, JSON API, web widget, volunteer guide."""
