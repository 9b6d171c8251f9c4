import { IsBase64, IsBoolean, IsIn, IsObject, IsOptional, IsString, Length } from 'class-validator';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Class = new (...args: any[]) => object;

/**
 * The MQTT message fields a contract carries (topic, QoS, RETAIN and the 5.0 properties passed
 * through), added to a base class: the same rules whether the message comes from a device or
 * from the platform. Binary values are base64; user properties stay an object.
 */
export function WithMqttMessage<B extends Class>(Base: B) {
  class MqttMessageFields extends Base {
    @IsString()
    @Length(1, 65535)
    topic: string;

    @IsIn([0, 1, 2])
    qos: 0 | 1 | 2;

    @IsBoolean()
    retain: boolean;

    @IsOptional()
    @IsString()
    contentType?: string;

    @IsOptional()
    @IsString()
    responseTopic?: string;

    /** Base64. */
    @IsOptional()
    @IsBase64()
    correlationData?: string;

    @IsOptional()
    @IsObject()
    userProperties?: Record<string, string | string[]>;
  }
  return MqttMessageFields;
}
