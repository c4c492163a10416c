#!/usr/bin/env python3
# Probe: which AWS API calls of the reference stack the moto server (python3 moto[server] 5.2.1)
# supports. Starts moto_server on a free loopback port, calls each API with boto3 and prints a JSON
# verdict per call; stops the server. Results are recorded in docs/terraform.md ("What moto lacks").
# Usage: python3 terraform/scripts/moto-coverage.py
import json, socket, subprocess, time, urllib.request

import boto3
s=socket.socket(); s.bind(('127.0.0.1',0)); port=s.getsockname()[1]; s.close()
p=subprocess.Popen(['moto_server','-H','127.0.0.1','-p',str(port)],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
ep=f'http://127.0.0.1:{port}'
for _ in range(100):
    try: urllib.request.urlopen(ep+'/moto-api/'); break
    except Exception: time.sleep(0.2)
kw=dict(endpoint_url=ep,region_name='me-central-1',aws_access_key_id='testing',aws_secret_access_key='testing')
c=lambda n: boto3.client(n,**kw)
res={}
def t(name,f):
    try: f(); res[name]='ok'
    except Exception as e: res[name]=f'{type(e).__name__}: {str(e)[:120]}'
ec2=c('ec2'); vpc=ec2.create_vpc(CidrBlock='10.20.0.0/16')['Vpc']['VpcId']
sub=ec2.create_subnet(VpcId=vpc,CidrBlock='10.20.16.0/20',AvailabilityZone='me-central-1a')['Subnet']['SubnetId']
t('ec2 DescribeAvailabilityZones me-central-1', lambda: [z['ZoneName'] for z in ec2.describe_availability_zones()['AvailabilityZones']])
res['azs']=[z['ZoneName'] for z in ec2.describe_availability_zones()['AvailabilityZones']]
t('ec2 AllocateAddress+CreateNatGateway', lambda: ec2.create_nat_gateway(SubnetId=sub, AllocationId=ec2.allocate_address(Domain='vpc')['AllocationId']))
logs=c('logs'); logs.create_log_group(logGroupName='fl')
iam=c('iam'); role=iam.create_role(RoleName='fl',AssumeRolePolicyDocument='{}')['Role']['Arn']
t('ec2 CreateFlowLogs (cloud-watch-logs)', lambda: ec2.create_flow_logs(ResourceIds=[vpc],ResourceType='VPC',TrafficType='ALL',LogDestinationType='cloud-watch-logs',LogDestination='arn:aws:logs:me-central-1:123456789012:log-group:fl',DeliverLogsPermissionArn=role))
t('ec2 CreateNetworkAcl+Entry', lambda: ec2.create_network_acl_entry(NetworkAclId=ec2.create_network_acl(VpcId=vpc)['NetworkAcl']['NetworkAclId'],RuleNumber=100,Protocol='-1',RuleAction='allow',Egress=False,CidrBlock='0.0.0.0/0'))
sg=ec2.create_security_group(GroupName='n',Description='n',VpcId=vpc)['GroupId']
t('ec2 AuthorizeSecurityGroupIngress (sg ref)', lambda: ec2.authorize_security_group_ingress(GroupId=sg,IpPermissions=[{'IpProtocol':'tcp','FromPort':5432,'ToPort':5432,'UserIdGroupPairs':[{'GroupId':sg}]}]))
t('ec2 CreateLaunchTemplate IMDSv2', lambda: ec2.create_launch_template(LaunchTemplateName='node-lt',LaunchTemplateData={'MetadataOptions':{'HttpTokens':'required','HttpPutResponseHopLimit':1},'BlockDeviceMappings':[{'DeviceName':'/dev/xvda','Ebs':{'Encrypted':True,'VolumeSize':50}}]}))
kms=c('kms'); key=kms.create_key()['KeyMetadata']['Arn']
t('kms EnableKeyRotation', lambda: kms.enable_key_rotation(KeyId=key))
s3=c('s3')
t('s3 bucket+versioning+sse-kms+pab+policy+logging', lambda: (s3.create_bucket(Bucket='state-bkt',CreateBucketConfiguration={'LocationConstraint':'me-central-1'}), s3.create_bucket(Bucket='state-bkt-logs',CreateBucketConfiguration={'LocationConstraint':'me-central-1'}), s3.put_bucket_versioning(Bucket='state-bkt',VersioningConfiguration={'Status':'Enabled'}), s3.put_bucket_encryption(Bucket='state-bkt',ServerSideEncryptionConfiguration={'Rules':[{'ApplyServerSideEncryptionByDefault':{'SSEAlgorithm':'aws:kms','KMSMasterKeyID':key},'BucketKeyEnabled':True}]}), s3.put_public_access_block(Bucket='state-bkt',PublicAccessBlockConfiguration={'BlockPublicAcls':True,'IgnorePublicAcls':True,'BlockPublicPolicy':True,'RestrictPublicBuckets':True}), s3.put_bucket_policy(Bucket='state-bkt-logs',Policy=json.dumps({'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'Service':'logging.s3.amazonaws.com'},'Action':'s3:PutObject','Resource':'arn:aws:s3:::state-bkt-logs/access/*'}]})), s3.put_bucket_logging(Bucket='state-bkt',BucketLoggingStatus={'LoggingEnabled':{'TargetBucket':'state-bkt-logs','TargetPrefix':'access/'}})))
ddb=c('dynamodb')
t('dynamodb CreateTable SSE KMS + PITR', lambda: (ddb.create_table(TableName='l',BillingMode='PAY_PER_REQUEST',AttributeDefinitions=[{'AttributeName':'LockID','AttributeType':'S'}],KeySchema=[{'AttributeName':'LockID','KeyType':'HASH'}],SSESpecification={'Enabled':True,'SSEType':'KMS','KMSMasterKeyId':key}), ddb.update_continuous_backups(TableName='l',PointInTimeRecoverySpecification={'PointInTimeRecoveryEnabled':True})))
ecr=c('ecr')
t('ecr CreateRepository immutable+scan+kms', lambda: ecr.create_repository(repositoryName='backend',imageTagMutability='IMMUTABLE',imageScanningConfiguration={'scanOnPush':True},encryptionConfiguration={'encryptionType':'KMS','kmsKey':key}))
t('ecr PutLifecyclePolicy', lambda: ecr.put_lifecycle_policy(repositoryName='backend',lifecyclePolicyText=json.dumps({'rules':[{'rulePriority':1,'description':'Expire untagged images','selection':{'tagStatus':'untagged','countType':'sinceImagePushed','countUnit':'days','countNumber':14},'action':{'type':'expire'}}]})))
eks=c('eks')
t('eks CreateCluster (encryption, logging, accessConfig)', lambda: eks.create_cluster(name='prod1',version='1.34',roleArn=role,resourcesVpcConfig={'subnetIds':[sub],'endpointPrivateAccess':True,'endpointPublicAccess':False},encryptionConfig=[{'resources':['secrets'],'provider':{'keyArn':key}}],logging={'clusterLogging':[{'types':['api','audit','authenticator','controllerManager','scheduler'],'enabled':True}]},accessConfig={'authenticationMode':'API','bootstrapClusterCreatorAdminPermissions':False}))
t('eks DescribeCluster accessConfig', lambda: eks.describe_cluster(name='prod1')['cluster']['accessConfig'])
t('eks CreateNodegroup (launch template)', lambda: eks.create_nodegroup(clusterName='prod1',nodegroupName='d',subnets=[sub],nodeRole=role,scalingConfig={'minSize':3,'maxSize':9,'desiredSize':3},launchTemplate={'name':'node-lt','version':'1'}))
t('eks CreateAccessEntry', lambda: eks.create_access_entry(clusterName='prod1',principalArn=role))
t('eks AssociateAccessPolicy', lambda: eks.associate_access_policy(clusterName='prod1',principalArn=role,policyArn='arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',accessScope={'type':'cluster'}))
t('eks CreateAddon', lambda: eks.create_addon(clusterName='prod1',addonName='eks-pod-identity-agent'))
t('eks CreatePodIdentityAssociation', lambda: eks.create_pod_identity_association(clusterName='prod1',namespace='backend',serviceAccount='backend',roleArn=role))
rds=c('rds')
t('rds CreateDBSubnetGroup+ParameterGroup force_ssl', lambda: (rds.create_db_subnet_group(DBSubnetGroupName='g',DBSubnetGroupDescription='g',SubnetIds=[sub]), rds.create_db_parameter_group(DBParameterGroupName='pg',DBParameterGroupFamily='postgres17',Description='p'), rds.modify_db_parameter_group(DBParameterGroupName='pg',Parameters=[{'ParameterName':'rds.force_ssl','ParameterValue':'1','ApplyMethod':'immediate'}])))
def mk():
    r=rds.create_db_instance(DBInstanceIdentifier='db',Engine='postgres',EngineVersion='17.6',DBInstanceClass='db.m6g.large',AllocatedStorage=50,MasterUsername='a',ManageMasterUserPassword=True,MasterUserSecretKmsKeyId=key,MultiAZ=True,StorageEncrypted=True,KmsKeyId=key,PubliclyAccessible=False,EnableIAMDatabaseAuthentication=True,BackupRetentionPeriod=14,DeletionProtection=True,EnablePerformanceInsights=True,PerformanceInsightsKMSKeyId=key,PerformanceInsightsRetentionPeriod=7,MonitoringInterval=15,MonitoringRoleArn=role,EnableCloudwatchLogsExports=['postgresql','upgrade'],DBSubnetGroupName='g',DBParameterGroupName='pg')
    d=rds.describe_db_instances(DBInstanceIdentifier='db')['DBInstances'][0]
    res['rds round-trip']={k:d.get(k) for k in ['MultiAZ','StorageEncrypted','IAMDatabaseAuthenticationEnabled','PerformanceInsightsEnabled','MonitoringInterval','EnabledCloudwatchLogsExports','DeletionProtection']}
    res['rds MasterUserSecret']=d.get('MasterUserSecret')
t('rds CreateDBInstance (all options)', mk)
t('rds DescribeDBParameters', lambda: res.__setitem__('force_ssl', [x for x in rds.describe_db_parameters(DBParameterGroupName='pg')['Parameters'] if x['ParameterName']=='rds.force_ssl']))
sts=c('sts'); t('sts GetCallerIdentity', lambda: sts.get_caller_identity())
p.terminate()
p.wait()
print(json.dumps(res,indent=1,default=str))
