"""Browser tests of the inspector (make test-browser); a package, so its conftest is not the suite's."""
