################################################################################
#
# nbpr-heartbeat
#
################################################################################

NBPR_HEARTBEAT_VERSION = 0.1.0
NBPR_HEARTBEAT_SITE = $(BR2_EXTERNAL_NBPR_HEARTBEAT_PATH)/package/nbpr-heartbeat/src
NBPR_HEARTBEAT_SITE_METHOD = local
NBPR_HEARTBEAT_LICENSE = Apache-2.0
NBPR_HEARTBEAT_LICENSE_FILES = LICENSE

NBPR_HEARTBEAT_DEFAULT_MESSAGE = $(call qstrip,$(BR2_PACKAGE_NBPR_HEARTBEAT_DEFAULT_MESSAGE))

define NBPR_HEARTBEAT_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/nbpr-heartbeat $(TARGET_DIR)/usr/sbin/nbpr-heartbeat
	$(SED) 's|@DEFAULT_MESSAGE@|$(NBPR_HEARTBEAT_DEFAULT_MESSAGE)|' $(TARGET_DIR)/usr/sbin/nbpr-heartbeat
endef

$(eval $(generic-package))
