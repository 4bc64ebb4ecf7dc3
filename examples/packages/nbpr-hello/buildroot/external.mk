include $(sort $(wildcard $(BR2_EXTERNAL_NBPR_HELLO_PATH)/package/*/*.mk))
