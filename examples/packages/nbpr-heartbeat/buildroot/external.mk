include $(sort $(wildcard $(BR2_EXTERNAL_NBPR_HEARTBEAT_PATH)/package/*/*.mk))
