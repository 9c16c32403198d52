import { col, req, type GtfsFile } from './spec.ts';

export const bookingRules: GtfsFile = {
  file: 'booking_rules.txt',
  table: 'booking_rules',
  required: false,
  defines: { column: 'booking_rule_id', ns: 'booking_rule', key: 'booking_rule_key' },
  columns: [
    req('booking_rule_id', 'id'),
    // 0: real time, 1: same day with notice, 2: prior day(s).
    req('booking_type', 'enum', { values: [0, 1, 2] }),
    col('prior_notice_duration_min', 'int'),
    col('prior_notice_duration_max', 'int'),
    col('prior_notice_last_day', 'int'),
    col('prior_notice_last_time', 'time'),
    col('prior_notice_start_day', 'int'),
    col('prior_notice_start_time', 'time'),
    col('prior_notice_service_id', 'id', { ref: 'service' }),
    col('message', 'text'),
    col('pickup_message', 'text'),
    col('drop_off_message', 'text'),
    col('phone_number', 'text'),
    col('info_url', 'text'),
    col('booking_url', 'text'),
  ],
};
