################################################################################
#
# nbpr-hello
#
################################################################################

NBPR_HELLO_VERSION = 0.1.0
NBPR_HELLO_SITE = $(BR2_EXTERNAL_NBPR_HELLO_PATH)/package/nbpr-hello/src
NBPR_HELLO_SITE_METHOD = local
NBPR_HELLO_LICENSE = Apache-2.0
NBPR_HELLO_LICENSE_FILES = LICENSE

define NBPR_HELLO_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/nbpr-hello $(TARGET_DIR)/usr/bin/nbpr-hello
endef

$(eval $(generic-package))
