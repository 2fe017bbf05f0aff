# Tools and docs (included from the Makefile): memory maps drawn from the
# layout tables, debugging with gdb, lint.

.PHONY: maps maps-check

LAYOUT_MAPS_SCRATCH ?= .build
# The pictures and tables of the book, from the layout tables
# (Tools/LayoutMaps: a host Swift tool; needs nothing but Swift).
maps:
	@echo "== memory maps from the layout tables (docs/maps, docs/generated)"
	@$(SWIFT_BIN)/swift build --scratch-path $(LAYOUT_MAPS_SCRATCH) --product layout-maps -q
	@$(LAYOUT_MAPS_SCRATCH)/debug/layout-maps --maps docs/maps --markdown docs/generated

# Fails when the committed maps or tables differ from what the tables give.
maps-check: maps
	@git diff --exit-code --stat -- docs/maps docs/generated || \
		{ echo "maps-check: docs/maps or docs/generated are stale: run make maps and commit them" >&2; exit 1; }
