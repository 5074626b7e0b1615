# Release tarball, Debian and RPM packages, and their checks.
#   make dist               build/ec2-instance-connect-$(VERSION).tar.gz from the tracked files
#   make deb                build/deb/*.deb with dpkg-buildpackage, then lintian
#   make rpm                build/rpm/RPMS/*/*.rpm with rpmbuild from the dist tarball, then rpmlint
#   make check-packaging    the install/remove logic, package contents, a .deb in a debootstrap root
DIST_NAME := ec2-instance-connect-$(VERSION)
DIST_TAR  := $(BUILD)/$(DIST_NAME).tar.gz

.PHONY: dist deb rpm check-packaging

dist:
	@mkdir -p $(BUILD)
	git ls-files -z | tar --null -T - --transform 's|^|$(DIST_NAME)/|' \
	    --owner=0 --group=0 --numeric-owner --mtime=@0 -czf $(DIST_TAR)
	@echo $(DIST_TAR)

deb: dist
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb
	tar -C $(BUILD)/deb -xzf $(DIST_TAR)
	cp -r packaging/debian $(BUILD)/deb/$(DIST_NAME)/debian
	printf '%s\n\n%s\n\n%s\n' \
	    "ec2-instance-connect ($(VERSION)) unstable; urgency=medium" \
	    "  * Release $(VERSION)." \
	    " -- EC2 Instance Connect C maintainers <eic-c@example.invalid>  $$(date -R -d @0)" \
	    > $(BUILD)/deb/$(DIST_NAME)/debian/changelog
	cd $(BUILD)/deb/$(DIST_NAME) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error --suppress-tags-from-file packaging/lintian-suppress \
	    $(BUILD)/deb/ec2-instance-connect_$(VERSION)_*.deb
	@ls $(BUILD)/deb/*.deb

rpm: dist
	rm -rf $(BUILD)/rpm && mkdir -p $(BUILD)/rpm/SOURCES $(BUILD)/rpm/SPECS
	cp $(DIST_TAR) $(BUILD)/rpm/SOURCES/
	sed 's/^Version:.*/Version:        $(VERSION)/' packaging/rpm/ec2-instance-connect.spec \
	    > $(BUILD)/rpm/SPECS/ec2-instance-connect.spec
	rpmbuild -bb --nodeps --define "_topdir $(CURDIR)/$(BUILD)/rpm" \
	    --define "_sysusersdir /usr/lib/sysusers.d" \
	    $(BUILD)/rpm/SPECS/ec2-instance-connect.spec
	rpmlint -r packaging/rpm/rpmlintrc $(BUILD)/rpm/SPECS/ec2-instance-connect.spec \
	    $$(find $(BUILD)/rpm/RPMS -name '*.rpm')
	@find $(BUILD)/rpm/RPMS -name '*.rpm'

check-packaging: deps-packaging
	python3 tests/packaging/test_setup.py
	$(MAKE) deb rpm
	sh tests/packaging/check_packages.sh $(BUILD)
	ruby -c packaging/homebrew/ec2-instance-connect.rb
	sh tests/packaging/deb_root.sh $(BUILD)

deps-packaging:
	sh .ci/deps.sh packaging
